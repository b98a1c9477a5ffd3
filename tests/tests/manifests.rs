//! The Kubernetes manifests (`deploy/kubernetes`) are what an operator applies, and nothing
//! else here runs them: no cluster is reachable from CI. So every overlay is rendered with
//! `kubectl kustomize` (offline) and every object validated against the Kubernetes schemas
//! (`kubernetes-validate`, strict: an unknown field fails) and custom resources against their
//! published CRDs kept in `deploy/kubernetes/schemas`; then the properties a schema cannot
//! see are asserted against the server's own sources: the probes hit its health routes, the
//! grace period outlasts its drain, the autoscaler's metric is one it exports, the ports are
//! the ones its configuration listens on, that configuration is one the server accepts, and
//! secrets are referenced, never written, outside the dev overlay. The monitoring tree
//! (ServiceMonitor, PrometheusRule, GrafanaDashboards) validates the same way and is checked to
//! scrape the Service and load each dashboard file; what its queries ask of the server is
//! `observability.rs`'s.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use harness::manifests::{self, validate};
use serde_json::Value;

/// The oldest Kubernetes the manifests promise (OpenShift 4.17): the preStop sleep action.
const KUBERNETES_VERSION: &str = "1.30.0";

/// What `kubectl kustomize` renders, by directory under `deploy/kubernetes`.
const TREES: [&str; 4] = [
    "base",
    "overlays/openshift",
    "overlays/kubernetes",
    "overlays/dev",
];

/// Applied beside an overlay when the cluster has the Prometheus and Grafana operators.
const MONITORING: &str = "monitoring";

/// The annotation every generated dev secret carries.
const DEV_ONLY: &str = "switchyard.dev/dev-only";

fn root() -> PathBuf {
    harness::workspace_root()
}

/// Renders the trees into `dir`, one YAML file each, and returns their paths.
fn render(dir: &Path) -> Vec<PathBuf> {
    TREES
        .iter()
        .map(|tree| manifests::render(tree, dir))
        .collect()
}

/// Validates rendered files against the Kubernetes schemas and the CRDs in `schemas/`.
fn validate_strictly(files: &[PathBuf]) -> Result<Value, String> {
    let crds = root().join("deploy/kubernetes/schemas");
    let crds = crds.display().to_string();
    let args = ["--crds", &crds, "--kubernetes-version", KUBERNETES_VERSION];
    validate(files, &args)
}

/// Every tree's objects, rendered but not validated (the validation has a test of its own).
fn objects() -> BTreeMap<&'static str, Vec<Value>> {
    let dir = tempfile::tempdir().unwrap();
    let files = render(dir.path());
    let json = validate(&files, &["--json-only"]).unwrap();
    TREES
        .iter()
        .zip(&files)
        .map(|(tree, file)| {
            let key = file.display().to_string();
            (*tree, json[&key].as_array().unwrap().clone())
        })
        .collect()
}

fn of_kind<'a>(objects: &'a [Value], kind: &str) -> Vec<&'a Value> {
    objects.iter().filter(|o| o["kind"] == kind).collect()
}

fn named<'a>(objects: &'a [Value], kind: &str, name: &str) -> &'a Value {
    of_kind(objects, kind)
        .into_iter()
        .find(|o| o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

fn server_container(objects: &[Value]) -> &Value {
    named(objects, "Deployment", "switchyard")["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "switchyard")
        .unwrap()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

/// The integer after `key` on its first line starting with it (after indentation).
fn number_after(text: &str, key: &str) -> u64 {
    let line = text
        .lines()
        .map(str::trim_start)
        .find(|l| l.starts_with(key))
        .unwrap_or_else(|| panic!("no line starting `{key}`"));
    line[key.len()..]
        .trim_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .unwrap_or_else(|_| panic!("no number on: {line}"))
}

/// The base's switchyard.toml as the ConfigMap carries it.
fn configured_toml(objects: &[Value]) -> String {
    of_kind(objects, "ConfigMap")
        .into_iter()
        .find_map(|c| c["data"]["switchyard.toml"].as_str())
        .expect("a ConfigMap with switchyard.toml")
        .to_owned()
}

#[test]
fn every_rendered_object_validates_against_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    let files = render(dir.path());
    let json = validate_strictly(&files).unwrap_or_else(|errors| panic!("{errors}"));
    for file in &files {
        let objects = json[file.display().to_string()].as_array().unwrap();
        for kind in ["Deployment", "Service", "ConfigMap", "NetworkPolicy"] {
            assert!(
                !of_kind(objects, kind).is_empty(),
                "no {kind} in {}",
                file.display()
            );
        }
    }

    // The validator is not vacuous: a misspelt field and a bad Route are refused.
    let openshift = std::fs::read_to_string(&files[1]).unwrap();
    let broken = openshift
        .replace(
            "readOnlyRootFilesystem: true",
            "readOnlyRootFilesytem: true",
        )
        .replace("termination: edge", "termination: sideways");
    let bad = dir.path().join("broken.yaml");
    std::fs::write(&bad, broken).unwrap();
    let errors = validate_strictly(&[bad]).unwrap_err();
    assert!(errors.contains("readOnlyRootFilesytem"), "{errors}");
    assert!(errors.contains("sideways"), "{errors}");
}

#[test]
fn three_replicas_in_production_one_in_dev() {
    let objects = objects();
    for tree in ["base", "overlays/openshift", "overlays/kubernetes"] {
        let deployment = named(&objects[tree], "Deployment", "switchyard");
        assert_eq!(deployment["spec"]["replicas"], 3, "{tree}");
        let hpa = named(&objects[tree], "HorizontalPodAutoscaler", "switchyard");
        assert_eq!(hpa["spec"]["minReplicas"], 3, "{tree}");
        assert_eq!(
            named(&objects[tree], "PodDisruptionBudget", "switchyard")["spec"]["maxUnavailable"],
            1
        );
        let spread: BTreeSet<&str> =
            deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["topologyKey"].as_str().unwrap())
                .collect();
        assert_eq!(
            spread,
            BTreeSet::from(["kubernetes.io/hostname", "topology.kubernetes.io/zone"])
        );
    }
    let dev = &objects["overlays/dev"];
    assert_eq!(
        named(dev, "Deployment", "switchyard")["spec"]["replicas"],
        1
    );
    assert!(of_kind(dev, "HorizontalPodAutoscaler").is_empty());
    assert!(of_kind(dev, "PodDisruptionBudget").is_empty());
    for statefulset in ["switchyard-postgres", "switchyard-redis"] {
        assert_eq!(
            named(dev, "StatefulSet", statefulset)["spec"]["replicas"],
            1
        );
    }
}

#[test]
fn every_container_has_probes_resources_and_the_restricted_profile() {
    for (tree, objects) in objects() {
        for workload in objects
            .iter()
            .filter(|o| ["Deployment", "StatefulSet"].contains(&o["kind"].as_str().unwrap()))
        {
            let pod = &workload["spec"]["template"]["spec"];
            let who = format!("{tree}: {}", workload["metadata"]["name"]);
            assert_eq!(pod["securityContext"]["runAsNonRoot"], true, "{who}");
            assert_eq!(
                pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault",
                "{who}"
            );
            for field in ["hostNetwork", "hostPID", "hostIPC"] {
                assert!(pod[field].is_null(), "{who}: {field}");
            }
            for volume in pod["volumes"].as_array().into_iter().flatten() {
                assert!(volume["hostPath"].is_null(), "{who}: hostPath volume");
            }
            for container in pod["containers"].as_array().unwrap() {
                let who = format!("{who}/{}", container["name"]);
                for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
                    assert!(container[probe].is_object(), "{who}: no {probe}");
                }
                for bound in ["requests", "limits"] {
                    for resource in ["cpu", "memory"] {
                        assert!(
                            container["resources"][bound][resource].is_string(),
                            "{who}: no {bound}.{resource}"
                        );
                    }
                }
                let security = &container["securityContext"];
                assert_eq!(security["runAsNonRoot"], true, "{who}");
                assert_eq!(security["allowPrivilegeEscalation"], false, "{who}");
                assert_eq!(security["capabilities"]["drop"][0], "ALL", "{who}");
                assert!(security["capabilities"]["add"].is_null(), "{who}");
                assert!(security["privileged"].is_null(), "{who}");
                assert_eq!(
                    security["seccompProfile"]["type"], "RuntimeDefault",
                    "{who}"
                );
            }
        }
        // The server writes only to its emptyDir.
        let server = server_container(&objects);
        assert_eq!(server["securityContext"]["readOnlyRootFilesystem"], true);
        assert!(
            server["volumeMounts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["mountPath"] == "/tmp"),
            "{tree}: no writable /tmp"
        );
    }
}

#[test]
fn probes_ports_and_metric_are_the_servers_own() {
    let router = read("server/src/router.rs");
    let metrics = read("server/src/metrics.rs");
    for (tree, objects) in objects() {
        let server = server_container(&objects);
        for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
            let path = server[probe]["httpGet"]["path"].as_str().unwrap();
            assert!(
                router.contains(&format!(".route(\"{path}\"")),
                "{tree}: {probe} on {path}, which server/src/router.rs does not serve"
            );
        }
        assert_eq!(
            server["readinessProbe"]["httpGet"]["path"],
            "/health/readiness"
        );

        // The container ports are the ones switchyard.toml listens on, and the Service names
        // both.
        let toml = configured_toml(&objects);
        let metrics_section = &toml[toml.find("[metrics]").unwrap()..];
        let ports: BTreeMap<&str, u64> = server["ports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap(),
                    p["containerPort"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(ports["http"], number_after(&toml, "listen = \"0.0.0.0:"));
        assert_eq!(
            ports["metrics"],
            number_after(metrics_section, "listen = \"0.0.0.0:")
        );
        let service = named(&objects, "Service", "switchyard");
        let names: BTreeSet<&str> = service["spec"]["ports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, BTreeSet::from(["http", "metrics"]), "{tree}");

        // Only the monitoring namespace reaches the metrics port.
        let policy = named(&objects, "NetworkPolicy", "switchyard");
        let metrics_rule = policy["spec"]["ingress"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ports"][0]["port"] == "metrics")
            .expect("a rule for the metrics port");
        for peer in metrics_rule["from"].as_array().unwrap() {
            assert!(peer["podSelector"].is_null(), "{tree}: {peer}");
            assert!(
                peer["namespaceSelector"]["matchLabels"].is_object(),
                "{tree}"
            );
        }

        for hpa in of_kind(&objects, "HorizontalPodAutoscaler") {
            for metric in hpa["spec"]["metrics"].as_array().unwrap() {
                if metric["type"] == "Pods" {
                    let name = metric["pods"]["metric"]["name"].as_str().unwrap();
                    assert!(
                        metrics.contains(&format!("\"{name}\"")),
                        "{tree}: the autoscaler follows {name}, which the server does not export"
                    );
                }
            }
        }
    }
}

#[test]
fn termination_grace_outlasts_the_drain_and_the_ledger_flush() {
    let defaults = read("server/src/config/mod.rs");
    let impl_default = &defaults[defaults.find("impl Default for Config").unwrap()..];
    let default_grace = number_after(impl_default, "shutdown_grace_seconds:");
    for (tree, objects) in objects() {
        let toml = configured_toml(&objects);
        let grace = if toml
            .lines()
            .any(|l| l.starts_with("shutdown_grace_seconds"))
        {
            number_after(&toml, "shutdown_grace_seconds")
        } else {
            default_grace
        };
        let pod = &named(&objects, "Deployment", "switchyard")["spec"]["template"]["spec"];
        let pause = server_container(&objects)["lifecycle"]["preStop"]["sleep"]["seconds"]
            .as_u64()
            .unwrap_or(0);
        let period = pod["terminationGracePeriodSeconds"].as_u64().unwrap();
        // server/src/run.rs: the drain waits up to the grace, then the ledger's flush as long.
        assert!(
            period > pause + 2 * grace,
            "{tree}: terminationGracePeriodSeconds {period} <= preStop {pause} + 2 x {grace}"
        );
    }
}

#[test]
fn secrets_are_referenced_and_only_dev_writes_values() {
    let wanted = BTreeMap::from([
        ("SWITCHYARD_MASTER_KEY", "master-key"),
        ("SWITCHYARD_GATEWAY__CREDENTIALS_KEY", "credentials-key"),
        ("SWITCHYARD_DATABASE_URL", "database-url"),
        ("SWITCHYARD_REDIS_URL", "redis-url"),
    ]);
    for (tree, objects) in objects() {
        let mut wanted = wanted.clone();
        if tree == "overlays/openshift" {
            // The OAuth client's secret: the ServiceAccount token in oauth-client.yaml.
            wanted.insert("SWITCHYARD_AUTH__OPENSHIFT__CLIENT_SECRET", "token");
        }
        let referenced: BTreeMap<&str, &str> = server_container(&objects)["env"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| !e["valueFrom"]["secretKeyRef"].is_null())
            .map(|e| {
                let key = &e["valueFrom"]["secretKeyRef"];
                assert!(key["name"].as_str().unwrap().starts_with("switchyard"));
                (e["name"].as_str().unwrap(), key["key"].as_str().unwrap())
            })
            .collect();
        assert_eq!(referenced, wanted, "{tree}");
        for object in &objects {
            let env = object["spec"]["template"]["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|c| c["env"].as_array().into_iter().flatten());
            for var in env {
                let name = var["name"].as_str().unwrap();
                assert!(
                    !(wanted.contains_key(name) || name.contains("PASSWORD"))
                        || var["value"].is_null(),
                    "{tree}: {name} has a literal value"
                );
            }
        }
        for secret in of_kind(&objects, "Secret") {
            let name = &secret["metadata"]["name"];
            // A ServiceAccount token Secret holds nothing until the cluster writes the token.
            if secret["type"] == "kubernetes.io/service-account-token" {
                assert!(
                    secret["data"].is_null() && secret["stringData"].is_null(),
                    "{name}"
                );
                continue;
            }
            assert_eq!(
                tree, "overlays/dev",
                "{tree} writes the Secret {name}: production references secrets it does not hold"
            );
            assert!(
                secret["metadata"]["annotations"][DEV_ONLY].is_string(),
                "the dev Secret {name} is not marked {DEV_ONLY}"
            );
        }
    }
}

#[test]
fn routes_and_ingress_hold_long_streams() {
    let objects = objects();
    let openshift = &objects["overlays/openshift"];
    let routes = of_kind(openshift, "Route");
    assert_eq!(
        routes.len(),
        2,
        "a Route for the portal and one for the API"
    );
    for route in routes {
        let name = &route["metadata"]["name"];
        assert_eq!(
            route["metadata"]["annotations"]["haproxy.router.openshift.io/timeout"], "600s",
            "{name}"
        );
        let termination = route["spec"]["tls"]["termination"].as_str().unwrap();
        assert!(["edge", "reencrypt"].contains(&termination), "{name}");
        assert_eq!(route["spec"]["to"]["name"], "switchyard");
        assert_eq!(route["spec"]["port"]["targetPort"], "http");
    }

    // The service CA reaches gateway.ca_file.
    let bundle = of_kind(openshift, "ConfigMap")
        .into_iter()
        .find(|c| {
            c["metadata"]["annotations"]["service.beta.openshift.io/inject-cabundle"] == "true"
        })
        .expect("a ConfigMap the service CA is injected into");
    let pod = &named(openshift, "Deployment", "switchyard")["spec"]["template"]["spec"];
    let volume = pod["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["configMap"]["name"] == bundle["metadata"]["name"])
        .expect("the service CA mounted");
    let server = server_container(openshift);
    let mount = server["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == volume["name"])
        .unwrap();
    let ca_file = server["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "SWITCHYARD_GATEWAY__CA_FILE")
        .expect("gateway.ca_file set");
    assert_eq!(
        ca_file["value"].as_str().unwrap(),
        format!("{}/service-ca.crt", mount["mountPath"].as_str().unwrap())
    );
    assert!(read("server/src/config/gateway.rs").contains("pub ca_file:"));

    let ingress = named(&objects["overlays/kubernetes"], "Ingress", "switchyard");
    for annotation in ["proxy-read-timeout", "proxy-send-timeout"] {
        assert_eq!(
            ingress["metadata"]["annotations"][format!("nginx.ingress.kubernetes.io/{annotation}")],
            "600"
        );
    }
}

#[test]
fn openshift_signs_in_with_the_clusters_oauth_server_as_its_service_account() {
    let objects = objects();
    let openshift = &objects["overlays/openshift"];
    let account = named(openshift, "ServiceAccount", "switchyard");
    assert_eq!(account["automountServiceAccountToken"], false);
    let redirect: Value = serde_json::from_str(
        account["metadata"]["annotations"]["serviceaccounts.openshift.io/oauth-redirectreference.portal"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(redirect["kind"], "OAuthRedirectReference");
    let route = redirect["reference"]["name"].as_str().unwrap();
    assert_eq!(redirect["reference"]["kind"], "Route");
    let portal = named(openshift, "Route", route);
    let env: BTreeMap<&str, &Value> = server_container(openshift)["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap(), e))
        .collect();
    assert_eq!(
        env["SWITCHYARD_AUTH__PUBLIC_URL"]["value"],
        format!("https://{}", portal["spec"]["host"].as_str().unwrap()),
        "the redirect URI is under the Route the ServiceAccount names"
    );
    assert_eq!(
        env["SWITCHYARD_AUTH__OPENSHIFT__CLIENT_ID"]["value"],
        "system:serviceaccount:$(POD_NAMESPACE):switchyard"
    );
    assert_eq!(
        env["POD_NAMESPACE"]["valueFrom"]["fieldRef"]["fieldPath"],
        "metadata.namespace"
    );
    let secret_name = env["SWITCHYARD_AUTH__OPENSHIFT__CLIENT_SECRET"]["valueFrom"]["secretKeyRef"]
        ["name"]
        .as_str()
        .unwrap();
    let token = named(openshift, "Secret", secret_name);
    assert_eq!(token["type"], "kubernetes.io/service-account-token");
    assert_eq!(
        token["metadata"]["annotations"]["kubernetes.io/service-account.name"],
        "switchyard"
    );
    // The CA directory the sign-in trusts is a mounted volume of the three bundles.
    let mounts = server_container(openshift)["volumeMounts"]
        .as_array()
        .unwrap();
    let ca_dir = env["SWITCHYARD_AUTH__OPENSHIFT__CA_FILE"]["value"]
        .as_str()
        .unwrap();
    let mount = mounts.iter().find(|m| m["mountPath"] == ca_dir).unwrap();
    let deployment = named(openshift, "Deployment", "switchyard");
    let volume = deployment["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == mount["name"])
        .unwrap();
    let sources: Vec<&str> = volume["projected"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["configMap"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            "kube-root-ca.crt",
            "switchyard-service-ca",
            "switchyard-trusted-ca"
        ]
    );
    for made_here in &sources[1..] {
        named(openshift, "ConfigMap", made_here);
    }
    // Other trees keep local accounts or OpenID: no OpenShift client there.
    for tree in ["overlays/kubernetes", "overlays/dev"] {
        let env = server_container(&objects[tree])["env"].as_array().unwrap();
        assert!(
            env.iter()
                .all(|e| !e["name"].as_str().unwrap().contains("OPENSHIFT")),
            "{tree}"
        );
    }
}

#[test]
fn the_server_accepts_each_overlays_configuration() {
    for (tree, objects) in objects() {
        manifests::server_accepts(&configured_toml(&objects), server_container(&objects))
            .unwrap_or_else(|refused| panic!("{tree}: {refused}"));
    }
}

#[test]
fn monitoring_validates_scrapes_the_metrics_port_and_loads_every_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    let file = manifests::render(MONITORING, dir.path());
    let json = validate_strictly(std::slice::from_ref(&file)).unwrap_or_else(|e| panic!("{e}"));
    let objects = json[file.display().to_string()].as_array().unwrap();

    // The validator knows these kinds: a misspelt field and a malformed duration are refused.
    let broken = std::fs::read_to_string(&file)
        .unwrap()
        .replace("interval: 30s", "intervall: 30s")
        .replace("for: 10m", "for: ten minutes");
    let bad = dir.path().join("broken.yaml");
    std::fs::write(&bad, broken).unwrap();
    let errors = validate_strictly(&[bad]).unwrap_err();
    assert!(errors.contains("intervall"), "{errors}");
    assert!(errors.contains("ten minutes"), "{errors}");

    // The ServiceMonitor selects the production Service and scrapes its `metrics` port.
    let base = manifests::objects("base");
    let service = named(&base, "Service", "switchyard");
    let monitor = named(objects, "ServiceMonitor", "switchyard");
    for (label, value) in monitor["spec"]["selector"]["matchLabels"]
        .as_object()
        .unwrap()
    {
        assert_eq!(&service["metadata"]["labels"][label], value, "{label}");
    }
    let endpoint = &monitor["spec"]["endpoints"][0];
    assert_eq!(endpoint["path"], "/metrics");
    assert!(
        service["spec"]["ports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == endpoint["port"]),
        "the Service has no port {}",
        endpoint["port"]
    );

    // Each dashboard file is loaded by a GrafanaDashboard, through its generated ConfigMap.
    let folder = root().join("deploy/kubernetes/monitoring/grafana/dashboards");
    let mut files: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    let dashboards = of_kind(objects, "GrafanaDashboard");
    assert_eq!(
        dashboards.len(),
        files.len(),
        "one GrafanaDashboard per file"
    );
    for dashboard in dashboards {
        let name = &dashboard["metadata"]["name"];
        let spec = &dashboard["spec"];
        assert!(
            !spec["instanceSelector"]["matchLabels"]
                .as_object()
                .unwrap()
                .is_empty(),
            "{name}: an empty selector matches every Grafana"
        );
        let reference = &spec["configMapRef"];
        let map = named(objects, "ConfigMap", reference["name"].as_str().unwrap());
        let text = map["data"][reference["key"].as_str().unwrap()]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no key {}", reference["key"]));
        let position = files
            .iter()
            .position(|f| f == text)
            .unwrap_or_else(|| panic!("{name} loads no dashboard file"));
        files.remove(position);
    }
}
