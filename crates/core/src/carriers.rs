//! Canonical carrier ids, so one parcel is one shipment whoever reports it.
//!
//! Every platform spells carriers its own way: Kuaidi100 says `shunfeng`,
//! Taobao and most ERPs `SF`, AfterShip `sf-express`, a WMS `顺丰速运`. A
//! shipment is identified by (canonical carrier id, tracking number), so the
//! same parcel reported by a channel, an ERP and a carrier lands on one record.
//!
//! [`canonical_carrier`] maps a platform's code to the id. Matching ignores
//! case, spaces, `-`, `_`, `.` and `&`, so `J&T`, `jt-express` and `JTEXPRESS`
//! meet. A code that matches nothing keeps that folded spelling
//! ([`carrier_key`]): reports from one platform still meet each other, and the
//! alias can be added here later. The table is documented in `docs/carriers.md`
//! (a test keeps the two in step).

/// One canonical carrier and the codes platforms use for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Carrier {
    /// The canonical id (lower-case, stable, used in the store).
    pub id: &'static str,
    /// The carrier's common name.
    pub name: &'static str,
    /// Platform codes and names that mean this carrier, as the platforms spell them.
    pub aliases: &'static [&'static str],
}

/// Every carrier OrderHub knows by name.
pub const CARRIERS: &[Carrier] = &[
    Carrier {
        id: "sf",
        name: "SF Express (顺丰速运)",
        aliases: &[
            "SF",
            "shunfeng",
            "sf-express",
            "SFEXPRESS",
            "shunfengkuaiyun",
            "顺丰",
            "顺丰速运",
            "顺丰快递",
        ],
    },
    Carrier {
        id: "zto",
        name: "ZTO Express (中通快递)",
        aliases: &["ZTO", "zhongtong", "zto-express", "中通", "中通快递"],
    },
    Carrier {
        id: "yto",
        name: "YTO Express (圆通速递)",
        aliases: &[
            "YTO",
            "yuantong",
            "yto-express",
            "圆通",
            "圆通速递",
            "圆通快递",
        ],
    },
    Carrier {
        id: "sto",
        name: "STO Express (申通快递)",
        aliases: &["STO", "shentong", "sto-express", "申通", "申通快递"],
    },
    Carrier {
        id: "yunda",
        name: "Yunda Express (韵达快递)",
        aliases: &[
            "YUNDA",
            "YD",
            "yunda-express",
            "韵达",
            "韵达快递",
            "韵达速递",
        ],
    },
    Carrier {
        id: "jd",
        name: "JD Logistics (京东物流)",
        aliases: &[
            "JD",
            "JDL",
            "jingdong",
            "jd-logistics",
            "jdwl",
            "jdkd",
            "京东",
            "京东物流",
            "京东快递",
        ],
    },
    Carrier {
        id: "ems",
        name: "EMS (中国邮政速递)",
        aliases: &[
            "EMS",
            "china-ems",
            "ems-china",
            "中国邮政EMS",
            "邮政EMS",
            "EMS快递",
        ],
    },
    Carrier {
        id: "chinapost",
        name: "China Post parcels (中国邮政快递包裹)",
        aliases: &[
            "POSTB",
            "youzhengguonei",
            "china-post",
            "chinapost",
            "CHINAPOST",
            "中国邮政",
            "邮政快递包裹",
            "邮政包裹",
        ],
    },
    Carrier {
        id: "jt",
        name: "J&T Express (极兔速递)",
        aliases: &[
            "J&T",
            "JT",
            "JTSD",
            "jtexpress",
            "jt-express",
            "jitu",
            "极兔",
            "极兔速递",
        ],
    },
    Carrier {
        id: "cainiao",
        name: "Cainiao (菜鸟)",
        aliases: &[
            "CAINIAO",
            "cainiao-global",
            "CNCTP",
            "菜鸟",
            "菜鸟速递",
            "菜鸟裹裹",
        ],
    },
    Carrier {
        id: "best",
        name: "BEST Express (百世快递)",
        aliases: &[
            "HTKY",
            "BEST",
            "huitongkuaidi",
            "best-express",
            "百世",
            "百世快递",
            "百世汇通",
        ],
    },
    Carrier {
        id: "deppon",
        name: "Deppon (德邦快递)",
        aliases: &[
            "DBL",
            "DBKD",
            "DEPPON",
            "debangwuliu",
            "debangkuaidi",
            "德邦",
            "德邦快递",
            "德邦物流",
        ],
    },
    Carrier {
        id: "zjs",
        name: "ZJS Express (宅急送)",
        aliases: &["ZJS", "zhaijisong", "宅急送"],
    },
    Carrier {
        id: "jtexpress-sea",
        name: "J&T Express South-East Asia",
        aliases: &[
            "jtexpress-id",
            "jtexpress-my",
            "jtexpress-ph",
            "jtexpress-th",
            "jtexpress-vn",
        ],
    },
    Carrier {
        id: "spx",
        name: "Shopee Xpress",
        aliases: &["SPX", "shopee-xpress", "spx-express"],
    },
    Carrier {
        id: "lex",
        name: "Lazada Logistics (LEX)",
        aliases: &[
            "LEX",
            "lazada-logistics",
            "lex-id",
            "lex-my",
            "lex-ph",
            "lex-th",
            "lex-vn",
        ],
    },
    Carrier {
        id: "ninjavan",
        name: "Ninja Van",
        aliases: &[
            "ninja-van",
            "NINJAVAN",
            "ninjavan-id",
            "ninjavan-my",
            "ninjavan-ph",
            "ninjavan-sg",
            "ninjavan-th",
            "ninjavan-vn",
        ],
    },
    Carrier {
        id: "flash",
        name: "Flash Express",
        aliases: &["flashexpress", "flash-express", "FLASH"],
    },
    Carrier {
        id: "kerry",
        name: "Kerry Express",
        aliases: &["kerry-express", "kerryexpress", "kerry-logistics", "KERRY"],
    },
    Carrier {
        id: "ups",
        name: "UPS",
        aliases: &["UPS", "ups-mail-innovations", "UPSMailInnovations"],
    },
    Carrier {
        id: "fedex",
        name: "FedEx",
        aliases: &[
            "FedEx",
            "FEDEX",
            "fedex-ground",
            "FedExDefault",
            "FedExSmartPost",
        ],
    },
    Carrier {
        id: "dhl",
        name: "DHL",
        aliases: &[
            "DHL",
            "dhl-express",
            "DHLExpress",
            "dhl-global-mail",
            "DHLEcommerce",
            "dhl-ecommerce",
        ],
    },
    Carrier {
        id: "usps",
        name: "USPS",
        aliases: &["USPS", "usps-first-class"],
    },
    Carrier {
        id: "royalmail",
        name: "Royal Mail",
        aliases: &["royal-mail", "RoyalMail"],
    },
    Carrier {
        id: "canadapost",
        name: "Canada Post",
        aliases: &["canada-post", "CanadaPost"],
    },
    Carrier {
        id: "auspost",
        name: "Australia Post",
        aliases: &["australia-post", "AustraliaPost"],
    },
    Carrier {
        id: "tnt",
        name: "TNT",
        aliases: &["TNT", "tnt-express"],
    },
];

/// The canonical id for a platform's carrier code, when it is one OrderHub knows.
pub fn canonical_carrier(code: &str) -> Option<&'static str> {
    let folded = fold(code);
    if folded.is_empty() {
        return None;
    }
    CARRIERS
        .iter()
        .find(|c| fold(c.id) == folded || c.aliases.iter().any(|a| fold(a) == folded))
        .map(|c| c.id)
}

/// The carrier part of a shipment's identity: the canonical id, else the code
/// folded the way aliases are compared; empty when the platform did not say.
pub fn carrier_key(code: &str) -> String {
    canonical_carrier(code)
        .map(str::to_string)
        .unwrap_or_else(|| fold(code))
}

/// Lower case without the separators platforms disagree on.
fn fold(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '.' | '&'))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_parcel_one_carrier_whoever_spells_it() {
        for code in ["shunfeng", "SF", "sf-express", "顺丰速运", " sf "] {
            assert_eq!(canonical_carrier(code), Some("sf"), "{code}");
        }
        for code in ["J&T", "jt-express", "JTEXPRESS", "极兔速递"] {
            assert_eq!(canonical_carrier(code), Some("jt"), "{code}");
        }
        assert_eq!(canonical_carrier("youzhengguonei"), Some("chinapost"));
        assert_eq!(canonical_carrier("FedExSmartPost"), Some("fedex"));
    }

    #[test]
    fn unknown_codes_keep_a_folded_spelling() {
        assert_eq!(canonical_carrier("acme-freight"), None);
        assert_eq!(carrier_key("Acme Freight"), "acmefreight");
        assert_eq!(carrier_key("ACME_FREIGHT"), "acmefreight");
        assert_eq!(carrier_key(""), "");
        assert_eq!(carrier_key("ZTO"), "zto");
    }

    #[test]
    fn no_alias_names_two_carriers() {
        let mut seen = std::collections::HashMap::new();
        for carrier in CARRIERS {
            for alias in carrier.aliases.iter().chain([&carrier.id]) {
                if let Some(other) = seen.insert(fold(alias), carrier.id) {
                    assert_eq!(
                        other, carrier.id,
                        "{alias} names {other} and {}",
                        carrier.id
                    );
                }
            }
        }
    }

    #[test]
    fn docs_list_every_carrier() {
        let doc = include_str!("../../../docs/carriers.md");
        for carrier in CARRIERS {
            let row = format!("| `{}` |", carrier.id);
            let line = doc
                .lines()
                .find(|l| l.starts_with(&row))
                .unwrap_or_else(|| panic!("docs/carriers.md has no row for {}", carrier.id));
            for alias in carrier.aliases {
                assert!(
                    line.contains(&format!("`{alias}`")),
                    "docs/carriers.md: {} lacks alias {alias}",
                    carrier.id
                );
            }
        }
    }
}
