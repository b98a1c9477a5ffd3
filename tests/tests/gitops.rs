//! The example GitOps repository (`deploy/gitops`) is what Argo CD syncs: Applications, KServe
//! model servers and Switchyard with its catalog. No cluster is reachable from CI, so every
//! tree is rendered with `kubectl kustomize` and every object validated against the
//! Kubernetes schemas and the published CRDs (Application, ServingRuntime, InferenceService in
//! `deploy/gitops/schemas`, Route from `deploy/kubernetes/schemas`); then what a schema cannot
//! see is asserted: each InferenceService runs on a runtime defined beside it and asks for its
//! accelerator, every model the catalog declares points at a server of the layout (and every
//! server is registered), the catalog reaches the pods without a restart, and the real server
//! accepts it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use harness::manifests;
use serde_json::Value;

/// The oldest Kubernetes the manifests promise, as in tests/tests/manifests.rs.
const KUBERNETES_VERSION: &str = "1.30.0";

/// What `kubectl kustomize` renders, by directory under `deploy/gitops`.
const TREES: [&str; 4] = ["bootstrap", "apps", "switchyard", "model-servers"];

/// The accelerator each vLLM runtime's servers must request.
const ACCELERATORS: [(&str, &str); 2] = [
    ("vllm-cuda-runtime", "nvidia.com/gpu"),
    ("vllm-gaudi-runtime", "habana.ai/gaudi"),
];

/// The port KServe's predictor Service exposes for the runtime's first container port
/// (kserve/kserve `service_reconciler.go`, `CommonDefaultHttpPort`).
const PREDICTOR_PORT: u16 = 80;

fn root() -> PathBuf {
    harness::workspace_root()
}

/// Renders the trees into `dir`, one YAML file each, and returns their paths.
fn render(dir: &Path) -> Vec<PathBuf> {
    TREES
        .iter()
        .map(|tree| manifests::render_in("deploy/gitops", tree, dir))
        .collect()
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// One directory holding (links to) this layout's CRDs and those of deploy/kubernetes, whose
/// overlay the Switchyard tree includes: the validator reads a single directory.
fn schema_args(dir: &Path) -> Vec<String> {
    let crds = dir.join("crds");
    std::fs::create_dir(&crds).unwrap();
    for schemas in ["deploy/gitops/schemas", "deploy/kubernetes/schemas"] {
        for entry in std::fs::read_dir(root().join(schemas)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_owned();
            if name.to_string_lossy().ends_with(".crd.yaml") {
                std::os::unix::fs::symlink(&path, crds.join(name)).unwrap();
            }
        }
    }
    vec![
        "--crds".into(),
        crds.display().to_string(),
        "--kubernetes-version".into(),
        KUBERNETES_VERSION.into(),
    ]
}

/// Every tree's objects, rendered but not validated (the validation has a test of its own).
fn objects() -> BTreeMap<&'static str, Vec<Value>> {
    let dir = tempfile::tempdir().unwrap();
    let files = render(dir.path());
    let json = manifests::validate(&files, &["--json-only"]).unwrap();
    TREES
        .iter()
        .zip(&files)
        .map(|(tree, file)| {
            (
                *tree,
                json[file.display().to_string()].as_array().unwrap().clone(),
            )
        })
        .collect()
}

fn of_kind<'a>(objects: &'a [Value], kind: &str) -> Vec<&'a Value> {
    objects.iter().filter(|o| o["kind"] == kind).collect()
}

fn name(object: &Value) -> &str {
    object["metadata"]["name"].as_str().unwrap()
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// The catalog as the Switchyard tree's ConfigMap carries it.
fn catalog_text(objects: &[Value]) -> String {
    of_kind(objects, "ConfigMap")
        .into_iter()
        .find_map(|c| c["data"]["switchyard.toml"].as_str())
        .expect("a ConfigMap with switchyard.toml")
        .to_owned()
}

fn server_container(objects: &[Value]) -> &Value {
    let deployment = of_kind(objects, "Deployment")
        .into_iter()
        .find(|d| name(d) == "switchyard")
        .expect("the Deployment switchyard");
    deployment["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "switchyard")
        .unwrap()
}

#[test]
fn every_rendered_object_validates_against_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    let files = render(dir.path());
    let args = schema_args(dir.path());
    let json =
        manifests::validate(&files, &strs(&args)).unwrap_or_else(|errors| panic!("{errors}"));
    let wanted = [
        ("bootstrap", "Application"),
        ("apps", "Application"),
        ("switchyard", "Deployment"),
        ("switchyard", "ConfigMap"),
        ("model-servers", "ServingRuntime"),
        ("model-servers", "InferenceService"),
        ("model-servers", "Deployment"),
    ];
    for (tree, kind) in wanted {
        let file = &files[TREES.iter().position(|t| *t == tree).unwrap()];
        let objects = json[file.display().to_string()].as_array().unwrap();
        assert!(!of_kind(objects, kind).is_empty(), "no {kind} in {tree}");
    }

    // The CRD schemas are not vacuous: a misspelt field of an InferenceService, a
    // ServingRuntime and an Application is refused.
    let models = std::fs::read_to_string(&files[3])
        .unwrap()
        .replace("storageUri:", "storageURI:")
        .replace("supportedModelFormats:", "supportedModelFormat:");
    let apps = std::fs::read_to_string(&files[1])
        .unwrap()
        .replace("selfHeal:", "selfheal:");
    let bad_models = dir.path().join("bad-models.yaml");
    let bad_apps = dir.path().join("bad-apps.yaml");
    std::fs::write(&bad_models, models).unwrap();
    std::fs::write(&bad_apps, apps).unwrap();
    let errors = manifests::validate(&[bad_models, bad_apps], &strs(&args)).unwrap_err();
    for field in ["storageURI", "supportedModelFormat", "selfheal"] {
        assert!(errors.contains(field), "{field} not refused: {errors}");
    }
}

#[test]
fn applications_sync_automatically_into_the_trees_of_this_layout() {
    let objects = objects();
    let mut paths = BTreeSet::new();
    for tree in ["bootstrap", "apps"] {
        for app in of_kind(&objects[tree], "Application") {
            let who = name(app);
            let policy = &app["spec"]["syncPolicy"];
            assert_eq!(policy["automated"]["prune"], true, "{who}");
            assert_eq!(policy["automated"]["selfHeal"], true, "{who}");
            assert!(
                app["metadata"]["finalizers"]
                    .to_string()
                    .contains("resources-finalizer.argocd.argoproj.io"),
                "{who}: deleting it would leave its objects behind"
            );
            let path = app["spec"]["source"]["path"].as_str().unwrap();
            assert!(
                root().join(path).join("kustomization.yaml").exists(),
                "{who}: {path} is not a Kustomize tree of this repository"
            );
            paths.insert(path.to_owned());

            // The destination is the namespace the tree's objects are in.
            let target = path.strip_prefix("deploy/gitops/").unwrap();
            let namespace = app["spec"]["destination"]["namespace"].as_str().unwrap();
            for object in &objects[target] {
                assert_eq!(
                    object["metadata"]["namespace"].as_str(),
                    Some(namespace),
                    "{who}: {} {} outside {namespace}",
                    object["kind"],
                    name(object)
                );
            }
            if tree == "apps" {
                assert!(
                    strings(&policy["syncOptions"]).contains(&"CreateNamespace=true"),
                    "{who}"
                );
            }
        }
    }
    assert_eq!(
        paths,
        BTreeSet::from(
            ["apps", "model-servers", "switchyard"].map(|t| format!("deploy/gitops/{t}"))
        )
    );

    // The autoscaler owns the replica count: Argo CD neither reports it as drift nor resets it.
    let switchyard = of_kind(&objects["apps"], "Application")
        .into_iter()
        .find(|a| a["spec"]["source"]["path"] == "deploy/gitops/switchyard")
        .unwrap();
    assert!(!of_kind(&objects["switchyard"], "HorizontalPodAutoscaler").is_empty());
    let ignored = &switchyard["spec"]["ignoreDifferences"];
    assert!(
        ignored
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "Deployment" && strings(&i["jsonPointers"]) == ["/spec/replicas"]),
        "{ignored}"
    );
    assert!(
        strings(&switchyard["spec"]["syncPolicy"]["syncOptions"])
            .contains(&"RespectIgnoreDifferences=true")
    );
}

#[test]
fn inference_services_run_on_runtimes_defined_here_with_their_accelerators() {
    let objects = objects();
    let models = &objects["model-servers"];
    let runtimes: BTreeMap<&str, &Value> = of_kind(models, "ServingRuntime")
        .into_iter()
        .map(|r| (name(r), r))
        .collect();
    let mut used = BTreeSet::new();
    for isvc in of_kind(models, "InferenceService") {
        let who = name(isvc);
        let model = &isvc["spec"]["predictor"]["model"];
        let runtime_name = model["runtime"].as_str().unwrap();
        let runtime = runtimes
            .get(runtime_name)
            .unwrap_or_else(|| panic!("{who}: no ServingRuntime {runtime_name} in the layout"));
        used.insert(runtime_name);
        let formats: Vec<&Value> = runtime["spec"]["supportedModelFormats"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| &f["name"])
            .collect();
        assert!(
            formats.contains(&&model["modelFormat"]["name"]),
            "{who}: {runtime_name} does not serve {}",
            model["modelFormat"]["name"]
        );

        let resources = &model["resources"];
        for (accelerator_runtime, accelerator) in ACCELERATORS {
            for bound in ["requests", "limits"] {
                let count = &resources[bound][accelerator];
                if runtime_name == accelerator_runtime {
                    assert!(
                        count
                            .as_str()
                            .is_some_and(|n| n.parse::<u32>().unwrap() >= 1),
                        "{who}: {bound}.{accelerator} missing on {runtime_name}"
                    );
                } else {
                    assert!(count.is_null(), "{who}: {accelerator} on {runtime_name}");
                }
            }
        }
    }
    for (runtime, _) in ACCELERATORS {
        assert!(used.contains(runtime), "no InferenceService on {runtime}");
    }
    for runtime in runtimes.values() {
        let container = &runtime["spec"]["containers"][0];
        assert_eq!(container["name"], "kserve-container");
        // The model is served under the InferenceService's name: the catalog's backend_model.
        assert!(
            strings(&container["args"])
                .iter()
                .any(|a| a.ends_with("={{.Name}}")),
            "{}: the served name is not the InferenceService's",
            name(runtime)
        );
    }

    // What the Gaudi runtime needs besides the card (HabanaAI/vllm-fork README_GAUDI.md).
    let gaudi_env: BTreeMap<&str, &str> =
        runtimes["vllm-gaudi-runtime"]["spec"]["containers"][0]["env"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["name"].as_str().unwrap(), e["value"].as_str().unwrap()))
            .collect();
    assert_eq!(
        gaudi_env.get("OMPI_MCA_btl_vader_single_copy_mechanism"),
        Some(&"none")
    );
    assert_eq!(
        gaudi_env.get("PT_HPU_ENABLE_LAZY_COLLECTIVES"),
        Some(&"true")
    );
}

/// A model server of the layout as Switchyard reaches it: host, port, and the served name.
#[derive(Debug)]
struct Endpoint {
    kind: &'static str,
    name: String,
    /// The name the server answers to (`None` for a server that takes no model name).
    served: Option<String>,
}

/// Every address of the model-servers tree: `<isvc>-predictor.<ns>.svc.cluster.local:80`
/// for each InferenceService, `<service>.<ns>.svc.cluster.local:<port>` for each Service.
fn endpoints(models: &[Value]) -> BTreeMap<(String, u16), Endpoint> {
    let mut endpoints = BTreeMap::new();
    for isvc in of_kind(models, "InferenceService") {
        let namespace = isvc["metadata"]["namespace"].as_str().unwrap();
        let host = format!("{}-predictor.{namespace}.svc.cluster.local", name(isvc));
        let endpoint = Endpoint {
            kind: "InferenceService",
            name: name(isvc).into(),
            served: Some(name(isvc).into()),
        };
        endpoints.insert((host, PREDICTOR_PORT), endpoint);
    }
    for service in of_kind(models, "Service") {
        let namespace = service["metadata"]["namespace"].as_str().unwrap();
        let host = format!("{}.{namespace}.svc.cluster.local", name(service));
        for port in service["spec"]["ports"].as_array().unwrap() {
            let port = u16::try_from(port["port"].as_u64().unwrap()).unwrap();
            let endpoint = Endpoint {
                kind: "Service",
                name: name(service).into(),
                served: None,
            };
            endpoints.insert((host.clone(), port), endpoint);
        }
    }
    endpoints
}

#[test]
fn every_catalog_model_points_at_a_server_of_the_layout_and_every_server_is_registered() {
    let objects = objects();
    let endpoints = endpoints(&objects["model-servers"]);
    let catalog: toml::Table = catalog_text(&objects["switchyard"]).parse().unwrap();
    let models = catalog["models"].as_array().expect("[[models]]");
    assert!(!models.is_empty());
    let mut reached = BTreeSet::new();
    for model in models {
        let model_name = model["name"].as_str().unwrap();
        for deployment in model["deployments"].as_array().unwrap() {
            let api_base = deployment["api_base"].as_str().unwrap();
            let url = reqwest::Url::parse(api_base).unwrap();
            let key = (
                url.host_str().unwrap().to_owned(),
                url.port_or_known_default().unwrap(),
            );
            let endpoint = endpoints.get(&key).unwrap_or_else(|| {
                panic!(
                    "{model_name}: {api_base} is no InferenceService or Service of \
                     deploy/gitops/model-servers (known: {:?})",
                    endpoints.keys().collect::<Vec<_>>()
                )
            });
            assert!(
                ["/v1", "/v3"].contains(&url.path()),
                "{model_name}: {api_base} is not an OpenAI base path"
            );
            if let Some(served) = &endpoint.served {
                let backend = deployment
                    .get("backend_model")
                    .and_then(toml::Value::as_str)
                    .unwrap_or(model_name);
                assert_eq!(
                    backend, served,
                    "{model_name}: {api_base} serves the model as {served}"
                );
            }
            reached.insert((endpoint.kind, endpoint.name.clone()));
        }
    }
    for endpoint in endpoints.values() {
        assert!(
            reached.contains(&(endpoint.kind, endpoint.name.clone())),
            "the {} {} is in the layout but not in the catalog",
            endpoint.kind,
            endpoint.name
        );
    }
}

#[test]
fn the_catalog_reaches_running_pods_and_keeps_the_base_settings() {
    let objects = objects();
    let switchyard = &objects["switchyard"];

    // The ConfigMap keeps its name, so a catalog commit updates it in place; the pods mount
    // the whole directory (a subPath mount would never see the update) and read the file
    // there.
    let configmap = of_kind(switchyard, "ConfigMap")
        .into_iter()
        .find(|c| c["data"]["switchyard.toml"].is_string())
        .unwrap();
    assert_eq!(name(configmap), "switchyard-config");
    let server = server_container(switchyard);
    let pod = &of_kind(switchyard, "Deployment")
        .into_iter()
        .find(|d| name(d) == "switchyard")
        .unwrap()["spec"]["template"]["spec"];
    let volume = pod["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["configMap"]["name"] == "switchyard-config")
        .expect("the catalog's ConfigMap mounted");
    let mount = server["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == volume["name"])
        .unwrap();
    assert!(
        mount["subPath"].is_null(),
        "a subPath mount is never updated"
    );
    let config = server["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "SWITCHYARD_CONFIG")
        .expect("SWITCHYARD_CONFIG set");
    assert_eq!(
        config["value"].as_str().unwrap(),
        format!("{}/switchyard.toml", mount["mountPath"].as_str().unwrap())
    );

    // The file replaces the base's: apart from the catalog, it must say what the base says.
    let without_models = |text: &str| {
        let mut table: toml::Table = text.parse().unwrap();
        table.remove("models");
        table
    };
    let base =
        std::fs::read_to_string(root().join("deploy/kubernetes/base/switchyard.toml")).unwrap();
    assert_eq!(
        without_models(&catalog_text(switchyard)),
        without_models(&base),
        "deploy/gitops/switchyard/switchyard.toml drifted from the base's settings"
    );
}

#[test]
fn the_server_accepts_the_catalog() {
    let objects = objects();
    let switchyard = &objects["switchyard"];
    // The [[models]] checks included: an unknown key or a bad deployment stops it.
    manifests::server_accepts(&catalog_text(switchyard), server_container(switchyard))
        .unwrap_or_else(|refused| panic!("{refused}"));
}
