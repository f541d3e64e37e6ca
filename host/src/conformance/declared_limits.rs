//! `metadata().limits`: every value an adapter declares must be above zero.
//!
//! A declared limit tightens the host's for every call of the adapter; a
//! zero would make every call fail (no time, no fuel, no memory, no input)
//! and is always a mistake for "no limit", which is `none` (the host's own).

use orderhub_core::model::DeclaredLimits;

use super::probe::Probe;

/// The declared values that are zero, by their contract name.
pub fn zero_limits(limits: &DeclaredLimits) -> Vec<&'static str> {
    let declared = [
        ("wall-clock-ms", limits.wall_clock_ms.map(u64::from)),
        ("fuel", limits.fuel),
        ("memory-bytes", limits.memory_bytes),
        ("input-bytes", limits.input_bytes),
        ("output-bytes", limits.output_bytes),
    ];
    declared
        .into_iter()
        .filter(|(_, value)| *value == Some(0))
        .map(|(name, _)| name)
        .collect()
}

/// Fails naming every declared limit that is zero.
pub fn declared_limits_positive(adapter: &dyn Probe) -> Result<(), String> {
    let zero = zero_limits(&adapter.declared_limits());
    if zero.is_empty() {
        return Ok(());
    }
    Err(zero
        .iter()
        .map(|name| {
            format!(
                "metadata.limits.{name} is 0: a declared limit must be > 0 \
                 (leave it none to keep the host's)"
            )
        })
        .collect::<Vec<_>>()
        .join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_zero_values_are_named() {
        assert_eq!(zero_limits(&DeclaredLimits::default()), Vec::<&str>::new());
        let limits = DeclaredLimits {
            wall_clock_ms: Some(0),
            fuel: Some(1),
            memory_bytes: None,
            input_bytes: Some(1 << 20),
            output_bytes: Some(0),
        };
        assert_eq!(zero_limits(&limits), vec!["wall-clock-ms", "output-bytes"]);
    }
}
