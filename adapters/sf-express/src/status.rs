//! SF's route codes and what they mean canonically.
//!
//! Each route item carries an operation code (`opCode`, the scan) and, in
//! the newer API versions, a status classification (`firstStatusCode` /
//! `secondaryStatusCode`). The classification is the documented one, so it is
//! mapped first; `opCode` is the fallback for items without it (route pushes
//! usually carry only `opCode`).
//!
//! A status names its table in the context field `field`
//! (`secondaryStatusCode` or `opCode`), because both tables use `204` with
//! different meanings. A secondary status also carries the route's `opCode`
//! in context, so an unknown secondary code still maps when its opCode is
//! known. Without context, the secondary table is tried, then the opCode one.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    Field, PlatformStatus, StatusDomain, StatusMapping, TrackingStatus as T,
};

/// Context name saying which table a status value belongs to.
pub(crate) const FIELD: &str = "field";
/// The value of [`FIELD`] for a secondary status code.
pub(crate) const SECONDARY: &str = "secondaryStatusCode";
/// The value of [`FIELD`] for an operation code, and the context name that
/// carries a secondary status's opCode.
pub(crate) const OP_CODE: &str = "opCode";

/// One SF code.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Code {
    pub code: &'static str,
    /// SF's own name (or the remark it prints with the code).
    pub name: &'static str,
    /// Where the meaning comes from: ✅ real data, 🟡 third-party code.
    pub evidence: &'static str,
    pub tracking: T,
}

const fn code(code: &'static str, name: &'static str, evidence: &'static str, tracking: T) -> Code {
    Code {
        code,
        name,
        evidence,
        tracking,
    }
}

/// `secondaryStatusCode` values (with their `firstStatusCode` group).
pub(crate) const SECONDARY_CODES: &[Code] = &[
    code("101", "已揽收 (1 已揽收): picked up", "✅", T::PickedUp),
    code("201", "运送中 (2 运送中): in transit", "✅", T::InTransit),
    code(
        "204",
        "清关中 (2 运送中): in customs clearance",
        "✅",
        T::InTransit,
    ),
    code(
        "205",
        "已清关 (2 运送中): cleared customs",
        "🟡",
        T::InTransit,
    ),
    code(
        "301",
        "派送中 (3 派送中): out for delivery",
        "✅",
        T::OutForDelivery,
    ),
    code("401", "已签收 (4 已签收): signed for", "✅", T::Delivered),
    code(
        "1301",
        "arrived at the destination (meaning unverified)",
        "🟡",
        T::InTransit,
    ),
];

/// `opCode` values.
pub(crate) const OP_CODES: &[Code] = &[
    code("50", "上门收件: picked up at the sender", "✅", T::PickedUp),
    code("54", "已收取快件: picked up", "✅", T::PickedUp),
    code(
        "30",
        "完成分拣，准备发往: sorted, leaving for the next hub",
        "✅",
        T::InTransit,
    ),
    code("31", "快件到达: arrived at a hub", "✅", T::InTransit),
    code("36", "快件离开: left a hub", "✅", T::InTransit),
    code("105", "航班起飞: flight departed", "✅", T::InTransit),
    code("106", "航班到达: flight arrived", "🟡", T::InTransit),
    code("310", "到达: arrived", "🟡", T::InTransit),
    code("407", "快件已发往: dispatched", "🟡", T::InTransit),
    code("501", "快件运输中: in transport", "🟡", T::InTransit),
    code(
        "605",
        "清关进行中: in customs clearance",
        "✅",
        T::InTransit,
    ),
    code(
        "70",
        "到达目的地: arrived at the destination",
        "🟡",
        T::InTransit,
    ),
    code(
        "130",
        "已到达目的地网点，即将派件: at the delivery outlet",
        "🟡",
        T::InTransit,
    ),
    code(
        "44",
        "正在分配快递员: assigning a courier",
        "✅",
        T::OutForDelivery,
    ),
    code(
        "204",
        "交给快递员，正在派送途中: out for delivery",
        "✅",
        T::OutForDelivery,
    ),
    code(
        "80",
        "已派送成功/已签收: delivered and signed",
        "✅",
        T::Delivered,
    ),
    code(
        "8000",
        "签收后记录 (signer details): delivered",
        "🟡",
        T::Delivered,
    ),
    code(
        "648",
        "快件退回中: returning to the sender",
        "🟡",
        T::Returning,
    ),
    code(
        "631",
        "快件已退回: returned to the sender",
        "🟡",
        T::Returned,
    ),
];

/// The canonical meaning of one SF route status.
pub(crate) fn status_map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    if !matches!(status.domain, StatusDomain::Tracking) {
        return Err(KitError::UnknownStatus(format!(
            "{:?} status {:?}: SF only reports tracking states",
            status.domain, status.value
        )));
    }
    let value = status.value.trim();
    let context = |name: &str| {
        status
            .context
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.trim())
    };
    let found = match context(FIELD) {
        Some(OP_CODE) => find(OP_CODES, value),
        Some(SECONDARY) => find(SECONDARY_CODES, value)
            .or_else(|| context(OP_CODE).and_then(|op| find(OP_CODES, op))),
        Some(other) => {
            return Err(KitError::UnknownStatus(format!(
                "tracking state {value:?} of field {other:?}: SF statuses are secondaryStatusCode or opCode"
            )));
        }
        None => find(SECONDARY_CODES, value).or_else(|| find(OP_CODES, value)),
    };
    found.map(tracking_only).ok_or_else(|| {
        KitError::UnknownStatus(format!(
            "tracking state {value:?} is not an SF secondaryStatusCode or opCode this adapter knows"
        ))
    })
}

fn find(table: &[Code], value: &str) -> Option<T> {
    table.iter().find(|c| c.code == value).map(|c| c.tracking)
}

/// The platform status of one route item: its secondary status when it has
/// one (with the opCode in context), else its opCode.
pub(crate) fn route_status(
    secondary: Option<String>,
    op_code: Option<String>,
) -> Option<PlatformStatus> {
    let field = |name: &str, value: &str| Field {
        name: name.into(),
        value: value.into(),
    };
    match (secondary, op_code) {
        (Some(secondary), op) => {
            let mut context = vec![field(FIELD, SECONDARY)];
            if let Some(op) = op {
                context.push(field(OP_CODE, &op));
            }
            Some(tracking(secondary, context))
        }
        (None, Some(op)) => Some(tracking(op, vec![field(FIELD, OP_CODE)])),
        (None, None) => None,
    }
}

/// Whether a status says the parcel was delivered (signed for).
pub(crate) fn is_delivered(status: &PlatformStatus) -> bool {
    matches!(
        status_map(status),
        Ok(StatusMapping {
            tracking: Some(T::Delivered),
            ..
        })
    )
}

fn tracking(value: String, context: Vec<Field>) -> PlatformStatus {
    PlatformStatus {
        domain: StatusDomain::Tracking,
        value,
        context,
    }
}

/// A mapping that only speaks about tracking; the host derives what a
/// tracking state means for the order.
fn tracking_only(tracking: T) -> StatusMapping {
    StatusMapping {
        lifecycle: None,
        hold: None,
        after_sale: None,
        tracking: Some(tracking),
        deposit_paid: false,
        partial: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(value: &str, context: &[(&str, &str)]) -> Result<Option<T>, KitError> {
        let status = PlatformStatus {
            domain: StatusDomain::Tracking,
            value: value.into(),
            context: context
                .iter()
                .map(|(n, v)| Field {
                    name: (*n).into(),
                    value: (*v).into(),
                })
                .collect(),
        };
        status_map(&status).map(|m| m.tracking)
    }

    #[test]
    fn the_field_chooses_the_table() {
        assert!(matches!(
            map("204", &[(FIELD, SECONDARY)]),
            Ok(Some(T::InTransit))
        ));
        assert!(matches!(
            map("204", &[(FIELD, OP_CODE)]),
            Ok(Some(T::OutForDelivery))
        ));
        assert!(matches!(map("204", &[]), Ok(Some(T::InTransit))));
        assert!(matches!(map("80", &[]), Ok(Some(T::Delivered))));
        assert!(matches!(
            map("401", &[(FIELD, SECONDARY)]),
            Ok(Some(T::Delivered))
        ));
    }

    #[test]
    fn an_unknown_secondary_code_falls_back_to_its_op_code() {
        assert!(matches!(
            map("999", &[(FIELD, SECONDARY), (OP_CODE, "80")]),
            Ok(Some(T::Delivered))
        ));
        assert!(matches!(
            map("999", &[(FIELD, SECONDARY), (OP_CODE, "1")]),
            Err(KitError::UnknownStatus(_))
        ));
    }

    #[test]
    fn unknown_values_fields_and_domains_are_refused() {
        assert!(matches!(map("9", &[]), Err(KitError::UnknownStatus(_))));
        assert!(matches!(
            map("101", &[(FIELD, OP_CODE)]),
            Err(KitError::UnknownStatus(_))
        ));
        assert!(matches!(
            map("80", &[(FIELD, "x")]),
            Err(KitError::UnknownStatus(_))
        ));
        let order = PlatformStatus {
            domain: StatusDomain::Order,
            value: "80".into(),
            context: vec![],
        };
        assert!(matches!(
            status_map(&order),
            Err(KitError::UnknownStatus(_))
        ));
    }

    #[test]
    fn codes_are_unique_per_table() {
        for table in [SECONDARY_CODES, OP_CODES] {
            let mut codes: Vec<&str> = table.iter().map(|c| c.code).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(codes.len(), table.len());
        }
    }

    #[test]
    fn route_status_prefers_the_secondary_code() {
        let s = route_status(Some("401".into()), Some("80".into())).unwrap();
        assert_eq!(s.value, "401");
        assert_eq!(s.context.len(), 2);
        assert!(is_delivered(&s));
        let s = route_status(None, Some("30".into())).unwrap();
        assert_eq!(
            (s.value.as_str(), s.context[0].value.as_str()),
            ("30", OP_CODE)
        );
        assert!(!is_delivered(&s));
        assert!(route_status(None, None).is_none());
    }
}
