//! The cost a vendor reported for a job, read from its answer.

use serde_json::Value;

use super::Usd;

/// The cost a vendor's answer reports, when it reports one: the AI/ML
/// API's `meta.usage.usd_spent` (a number or a numeric string). `None`
/// when the answer carries none (RunComfy and WaveSpeed never do): the
/// quote then stands as the estimate.
pub fn reported_cost(answer: &Value) -> Option<Usd> {
    match answer.pointer("/meta/usage/usd_spent")? {
        Value::Number(n) => Usd::from_dollars(n.as_f64()?),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_usd_spent_only() {
        let answer = json!({"meta": {"usage": {"usd_spent": 0.2, "credits_used": 400000}}});
        assert_eq!(reported_cost(&answer), Some(Usd::from_micros(200_000)));
        let text = json!({"meta": {"usage": {"usd_spent": "0.20"}}});
        assert_eq!(reported_cost(&text), Some(Usd::from_micros(200_000)));
        assert_eq!(reported_cost(&json!({"meta": null})), None);
        assert_eq!(reported_cost(&json!({"data": {}})), None);
    }
}
