//! Contract functions most adapters answer the same way, as one-line macros.
//!
//! Contract 0.2 added functions that many platforms have no use for (push
//! streams) or answer by the book (an action's reply judged by its HTTP
//! status). Writing those bodies in every adapter would repeat the same
//! lines two dozen times; these macros expand to the functions inside the
//! adapter's `impl Guest` block, naming the generated types (`Account`,
//! `AdapterError`, `StreamFrame`, …) as the adapter imports them.
//!
//! [`action_outcome_by_status`] is the rule the `action_result_by_status!`
//! macro applies, usable on its own by adapters that look at the body first.

/// How an outbound action's reply reads when only its HTTP status counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionOutcome {
    /// The platform performed the action.
    Done,
    /// Worth trying again later; says why.
    Retry(String),
    /// Refused for good; says why.
    Refused(String),
}

/// A 2xx is done; 408, 425, 429 and 5xx are worth retrying; any other 4xx
/// (and anything stranger) is a refusal of the request itself.
pub fn action_outcome_by_status(status: u16, body: &[u8]) -> ActionOutcome {
    let why = || {
        let excerpt: String = String::from_utf8_lossy(body).chars().take(200).collect();
        format!("the platform answered {status}: {excerpt}")
    };
    match status {
        200..=299 => ActionOutcome::Done,
        408 | 425 | 429 | 500..=599 => ActionOutcome::Retry(why()),
        _ => ActionOutcome::Refused(why()),
    }
}

/// Expands to an `action_result` that judges the reply by its HTTP status
/// ([`action_outcome_by_status`]). Needs `Action`, `HttpResponse` and the
/// generated `ActionOutcome` in scope.
#[macro_export]
macro_rules! action_result_by_status {
    () => {
        fn action_result(_action: Action, response: HttpResponse) -> ActionOutcome {
            match $crate::contract::action_outcome_by_status(response.status, &response.body) {
                $crate::contract::ActionOutcome::Done => ActionOutcome::Done,
                $crate::contract::ActionOutcome::Retry(why) => ActionOutcome::Retry(why),
                $crate::contract::ActionOutcome::Refused(why) => ActionOutcome::Refused(why),
            }
        }
    };
}

/// Expands to the three push-stream functions answering `unsupported`, for
/// platforms that do not push over a WebSocket (webhooks, or polls only). Needs `Account`,
/// `AdapterError`, `StreamFrame`, `StreamSession` and `StreamReply` in scope.
#[macro_export]
macro_rules! no_push_stream {
    ($platform:literal) => {
        fn stream_open(_account: Account, _now: i64) -> Result<StreamSession, AdapterError> {
            Err(AdapterError::Unsupported(
                concat!($platform, " does not push over a WebSocket").into(),
            ))
        }

        fn stream_receive(
            _frame: StreamFrame,
            _account: Account,
            _now: i64,
        ) -> Result<StreamReply, AdapterError> {
            Err(AdapterError::Unsupported(
                concat!($platform, " has no push stream").into(),
            ))
        }

        fn stream_tick(_account: Account, _now: i64) -> Result<Vec<StreamFrame>, AdapterError> {
            Err(AdapterError::Unsupported(
                concat!($platform, " has no push stream").into(),
            ))
        }
    };
}

/// Expands to a `cursor_at` answering `unsupported`, for adapters that do not
/// poll. Needs `Account` and `AdapterError` in scope.
#[macro_export]
macro_rules! no_cursor_at {
    ($platform:literal) => {
        fn cursor_at(_since: i64, _account: Account, _now: i64) -> Result<String, AdapterError> {
            Err(AdapterError::Unsupported(
                concat!(
                    $platform,
                    " is not polled, so it has no cursor to start from"
                )
                .into(),
            ))
        }
    };
}

/// Expands to an `AdapterLimits` value that declares nothing (the host's
/// limits apply). Needs the generated `AdapterLimits` in scope.
#[macro_export]
macro_rules! host_limits {
    () => {
        AdapterLimits {
            wall_clock_ms: None,
            fuel: None,
            memory_bytes: None,
            input_bytes: None,
            output_bytes: None,
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_as_done_retry_or_refused() {
        assert_eq!(action_outcome_by_status(201, b"{}"), ActionOutcome::Done);
        assert_eq!(
            action_outcome_by_status(429, b"slow down"),
            ActionOutcome::Retry("the platform answered 429: slow down".into())
        );
        assert_eq!(
            action_outcome_by_status(503, b""),
            ActionOutcome::Retry("the platform answered 503: ".into())
        );
        assert_eq!(
            action_outcome_by_status(422, b"{\"code\":\"invalid\"}"),
            ActionOutcome::Refused("the platform answered 422: {\"code\":\"invalid\"}".into())
        );
        assert!(matches!(
            action_outcome_by_status(302, b""),
            ActionOutcome::Refused(_)
        ));
    }
}
