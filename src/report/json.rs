use super::Report;

pub fn render(report: &Report) -> String {
    let mut out = serde_json::to_string_pretty(report).expect("the report is plain data");
    out.push('\n');
    out
}
