//! SAL_OUTSTOCK bill statuses and what they mean canonically.
//!
//! A K3 Cloud bill has a document status `FDocumentStatus` (A 创建 created,
//! B 审核中 being audited, C 已审核 audited, D 重新审核 re-audit, Z 暂存
//! draft) and a void flag `FCancelStatus` (A 未作废 not voided, B 已作废
//! voided). The adapter reports the document status as the `fulfillment`
//! status of a sales outbound bill, with `FCancelStatus` as context. The
//! meanings are 🟡 (two independent field dumps agree; see the README).

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    Field, HoldChange, OrderStatus, PlatformStatus, StatusDomain, StatusMapping,
};

/// Context name of the void flag.
pub(crate) const CANCEL_STATUS: &str = "FCancelStatus";
/// The document status of an audited bill: the goods left the warehouse.
pub(crate) const AUDITED: &str = "C";
/// The void flag of a voided bill.
pub(crate) const VOIDED: &str = "B";

/// Hold reason of a voided bill.
pub(crate) const VOIDED_REASON: &str = "sales outbound bill voided in Kingdee (作废)";
/// Hold reason of a bill sent back for re-audit.
pub(crate) const REAUDIT_REASON: &str =
    "sales outbound bill un-audited in Kingdee (重新审核): the shipment is being revised";

/// One document status.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DocumentStatus {
    pub code: &'static str,
    pub name: &'static str,
    pub meaning: &'static str,
}

/// Every `FDocumentStatus` value.
pub(crate) const DOCUMENT_STATUSES: &[DocumentStatus] = &[
    DocumentStatus {
        code: "Z",
        name: "暂存",
        meaning: "draft saved, not submitted",
    },
    DocumentStatus {
        code: "A",
        name: "创建",
        meaning: "created, goods being prepared",
    },
    DocumentStatus {
        code: "B",
        name: "审核中",
        meaning: "submitted, being audited",
    },
    DocumentStatus {
        code: "C",
        name: "已审核",
        meaning: "audited: the goods left the warehouse",
    },
    DocumentStatus {
        code: "D",
        name: "重新审核",
        meaning: "un-audited for revision",
    },
];

fn mapping(lifecycle: Option<OrderStatus>, hold: Option<HoldChange>) -> StatusMapping {
    StatusMapping {
        lifecycle,
        hold,
        after_sale: None,
        tracking: None,
        deposit_paid: false,
        partial: false,
    }
}

/// The canonical meaning of a bill's document status and void flag.
pub(crate) fn status_map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    if !matches!(status.domain, StatusDomain::Fulfillment) {
        return Err(KitError::UnknownStatus(format!(
            "{:?} status {:?}: Kingdee sales outbound bills report fulfillment statuses only",
            status.domain, status.value
        )));
    }
    let value = status.value.trim();
    if !DOCUMENT_STATUSES.iter().any(|s| s.code == value) {
        return Err(KitError::UnknownStatus(format!(
            "FDocumentStatus {value:?} is not one of Z, A, B, C, D"
        )));
    }
    if cancel_status(&status.context)? == Some(VOIDED) {
        return Ok(mapping(None, Some(HoldChange::Set(VOIDED_REASON.into()))));
    }
    Ok(match value {
        "A" | "B" => mapping(Some(OrderStatus::Allocated), None),
        "C" => mapping(Some(OrderStatus::Shipped), None),
        "D" => mapping(None, Some(HoldChange::Set(REAUDIT_REASON.into()))),
        // Z: a draft says nothing yet.
        _ => mapping(None, None),
    })
}

/// The void flag from the context: `A`, `B` or absent; anything else is unknown.
fn cancel_status(context: &[Field]) -> Result<Option<&'static str>, KitError> {
    match context
        .iter()
        .find(|f| f.name == CANCEL_STATUS)
        .map(|f| f.value.trim())
    {
        None | Some("") => Ok(None),
        Some("A") => Ok(Some("A")),
        Some("B") => Ok(Some(VOIDED)),
        Some(other) => Err(KitError::UnknownStatus(format!(
            "FCancelStatus {other:?} is not A (not voided) or B (voided)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(value: &str, cancel: Option<&str>) -> Result<StatusMapping, KitError> {
        status_map(&PlatformStatus {
            domain: StatusDomain::Fulfillment,
            value: value.into(),
            context: cancel
                .map(|c| {
                    vec![Field {
                        name: CANCEL_STATUS.into(),
                        value: c.into(),
                    }]
                })
                .unwrap_or_default(),
        })
    }

    #[test]
    fn document_statuses_map() {
        assert!(matches!(
            map("C", Some("A")).unwrap().lifecycle,
            Some(OrderStatus::Shipped)
        ));
        assert!(matches!(
            map("A", None).unwrap().lifecycle,
            Some(OrderStatus::Allocated)
        ));
        assert!(matches!(
            map("D", None).unwrap().hold,
            Some(HoldChange::Set(_))
        ));
        let z = map("Z", None).unwrap();
        assert!(z.lifecycle.is_none() && z.hold.is_none());
    }

    #[test]
    fn voided_bills_are_held() {
        let m = map("C", Some("B")).unwrap();
        assert!(m.lifecycle.is_none());
        assert!(matches!(m.hold, Some(HoldChange::Set(r)) if r == VOIDED_REASON));
    }

    #[test]
    fn unknown_values_are_refused() {
        assert!(matches!(map("X", None), Err(KitError::UnknownStatus(_))));
        assert!(matches!(
            map("C", Some("Q")),
            Err(KitError::UnknownStatus(_))
        ));
        let order = PlatformStatus {
            domain: StatusDomain::Order,
            value: "C".into(),
            context: vec![],
        };
        assert!(matches!(
            status_map(&order),
            Err(KitError::UnknownStatus(_))
        ));
    }
}
