//! Charts drawn by Apache ECharts (npm `echarts`, pinned; see ARCHITECTURE.md for why),
//! loaded lazily the first time a page shows a chart so the first page load does not carry
//! it. Every chart has a table of the same numbers a button away, for screen readers and for
//! reading exact values. Options are built by plain functions below, unit-tested.

use serde_json::{Value, json};
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use crate::hooks::use_theme;
use crate::i18n::use_i18n;

/// Where Trunk puts the library (index.html copies it there).
const SCRIPT_URL: &str = "/echarts/echarts.min.js";
const SCRIPT_ID: &str = "echarts-script";

/// One line of a chart: its name and `(bucket start, value)` points.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub name: String,
    pub points: Vec<(String, f64)>,
}

/// A time-series chart's ECharts option: a time axis, one line per entry, an axis tooltip,
/// a legend whose entries toggle their lines, and `unit` after values.
pub fn time_series(lines: &[Line], unit: &str, stacked_bars: bool) -> Value {
    let series: Vec<Value> = lines
        .iter()
        .map(|line| {
            let data: Vec<Value> = line.points.iter().map(|(at, v)| json!([at, v])).collect();
            let mut s = json!({
                "name": line.name,
                "type": if stacked_bars { "bar" } else { "line" },
                "data": data,
                "showSymbol": line.points.len() < 60,
            });
            if stacked_bars {
                s["stack"] = json!("total");
            }
            s
        })
        .collect();
    json!({
        "backgroundColor": "transparent",
        "animation": false,
        "grid": { "left": 8, "right": 16, "top": 40, "bottom": 8, "containLabel": true },
        "tooltip": { "trigger": "axis", "valueFormatter": null },
        "legend": { "type": "scroll", "top": 0 },
        "xAxis": { "type": "time" },
        "yAxis": { "type": "value", "name": unit, "nameTextStyle": { "align": "left" } },
        "series": series,
    })
}

/// Calls `target.method(...args)`.
fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let function: js_sys::Function = js_sys::Reflect::get(target, &method.into())?.dyn_into()?;
    let list = js_sys::Array::new();
    for arg in args {
        list.push(arg);
    }
    function.apply(target, &list)
}

fn echarts() -> Option<JsValue> {
    let window = web_sys::window()?;
    let lib = js_sys::Reflect::get(&window, &"echarts".into()).ok()?;
    (!lib.is_undefined()).then_some(lib)
}

/// Loads ECharts once (a `<script>` added to the page) and waits for it.
async fn load_echarts() -> Option<JsValue> {
    if let Some(lib) = echarts() {
        return Some(lib);
    }
    let document = web_sys::window()?.document()?;
    if document.get_element_by_id(SCRIPT_ID).is_none() {
        let script = document.create_element("script").ok()?;
        script.set_id(SCRIPT_ID);
        script.set_attribute("src", SCRIPT_URL).ok()?;
        document.head()?.append_child(&script).ok()?;
    }
    // Up to 20 s; a page that gives up shows the table.
    for _ in 0..400 {
        if let Some(lib) = echarts() {
            return Some(lib);
        }
        gloo_timers::future::TimeoutFuture::new(50).await;
    }
    None
}

/// Properties of [`Chart`].
#[derive(Properties, PartialEq)]
pub struct ChartProps {
    pub id: AttrValue,
    pub title: AttrValue,
    /// The ECharts option.
    pub option: Value,
    /// The same numbers as a table.
    pub table: Html,
}

/// A chart with its table.
#[component]
pub fn Chart(props: &ChartProps) -> Html {
    let i18n = use_i18n();
    let theme = use_theme();
    let node = use_node_ref();
    let loaded = use_state(|| echarts().is_some());
    let failed = use_state(|| false);
    let as_table = use_state(|| false);
    {
        let (loaded, failed) = (loaded.clone(), failed.clone());
        use_effect_with((), move |()| {
            if !*loaded {
                wasm_bindgen_futures::spawn_local(async move {
                    match load_echarts().await {
                        Some(_) => loaded.set(true),
                        None => failed.set(true),
                    }
                });
            }
        });
    }
    {
        let node = node.clone();
        use_effect_with(
            (props.option.clone(), theme.dark, *loaded, *as_table),
            move |(option, dark, loaded, as_table)| {
                let mut instance = None;
                if *loaded
                    && !*as_table
                    && let (Some(lib), Some(element)) = (echarts(), node.cast::<web_sys::Element>())
                {
                    let theme = if *dark {
                        JsValue::from_str("dark")
                    } else {
                        JsValue::NULL
                    };
                    if let Ok(chart) = call(&lib, "init", &[element.into(), theme]) {
                        if let Ok(option) = js_sys::JSON::parse(&option.to_string()) {
                            let _ = call(&chart, "setOption", &[option]);
                        }
                        instance = Some(chart);
                    }
                }
                let resize = instance.clone().map(|chart| {
                    gloo_timers::callback::Interval::new(1000, move || {
                        let _ = call(&chart, "resize", &[]);
                    })
                });
                move || {
                    drop(resize);
                    if let Some(chart) = instance {
                        let _ = call(&chart, "dispose", &[]);
                    }
                }
            },
        );
    }
    let toggle = {
        let as_table = as_table.clone();
        Callback::from(move |_: MouseEvent| as_table.set(!*as_table))
    };
    let show_table = *as_table || *failed;
    html! {
        <div class="pf-v6-c-card sy-chart" id={props.id.clone()}>
            <div class="pf-v6-c-card__header">
                <div class="pf-v6-c-card__title"><h3 class="pf-v6-c-card__title-text">{ &props.title }</h3></div>
                <div class="pf-v6-c-card__actions">
                    <button class="pf-v6-c-button pf-m-link pf-m-inline" type="button"
                        aria-pressed={show_table.to_string()} onclick={toggle}
                        id={format!("{}-toggle", props.id)}>
                        { if show_table { i18n.t("chart-show-chart") } else { i18n.t("chart-show-table") } }
                    </button>
                </div>
            </div>
            <div class="pf-v6-c-card__body">
                if show_table {
                    <div class="sy-chart__table">{ props.table.clone() }</div>
                } else {
                    <div class="sy-chart__canvas" ref={node} role="img" aria-label={props.title.clone()}></div>
                    <div class="pf-v6-screen-reader">{ props.table.clone() }</div>
                }
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_series_has_one_series_per_line_on_a_time_axis() {
        let lines = vec![
            Line {
                name: "granite".into(),
                points: vec![
                    ("2026-11-29T00:00:00Z".into(), 1.5),
                    ("2026-11-30T00:00:00Z".into(), 2.0),
                ],
            },
            Line {
                name: "llama".into(),
                points: vec![],
            },
        ];
        let option = time_series(&lines, "USD", true);
        assert_eq!(option["xAxis"]["type"], "time");
        assert_eq!(option["series"].as_array().unwrap().len(), 2);
        assert_eq!(option["series"][0]["type"], "bar");
        assert_eq!(option["series"][0]["stack"], "total");
        assert_eq!(
            option["series"][0]["data"][1],
            json!(["2026-11-30T00:00:00Z", 2.0])
        );
        assert_eq!(option["yAxis"]["name"], "USD");
        let lines_only = time_series(&lines, "ms", false);
        assert_eq!(lines_only["series"][1]["type"], "line");
        assert!(lines_only["series"][1].get("stack").is_none());
    }
}
