//! Polling every account that has a `[accounts.poll]` schedule.
//!
//! One task per account: a first run shortly after start (within the
//! jitter), then one run per interval plus a fresh jitter each time, so
//! accounts on the same schedule spread out instead of hitting a platform
//! together. A run that stopped at `max_pages` with more to fetch is followed
//! by the next one at once. Runs of one account never overlap.
//!
//! An account with `reconcile_every_secs` is also reconciled on that
//! interval, against the orders the store saw change since the previous
//! reconciliation.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use tokio::task::JoinHandle;

use super::Poller;

/// Starts one polling task per scheduled account; dropping or aborting the
/// handles stops them.
pub fn spawn(poller: Poller) -> Vec<JoinHandle<()>> {
    let accounts: Vec<_> = poller
        .pipeline()
        .config
        .accounts
        .iter()
        .filter_map(|a| {
            a.poll
                .clone()
                .map(|p| (a.adapter.clone(), a.data.id.clone(), p))
        })
        .collect();
    let mut tasks = Vec::new();
    for (adapter, account, schedule) in &accounts {
        let Some(every) = schedule.reconcile_every else {
            continue;
        };
        let (poller, adapter, account) = (poller.clone(), adapter.clone(), account.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                tokio::time::sleep(every + jitter(every / 10)).await;
                let since = chrono::Utc::now()
                    - chrono::Duration::from_std(every * 2).unwrap_or(chrono::Duration::days(1));
                match poller.reconcile(&adapter, &account, since, 1000).await {
                    Ok(r) => tracing::info!(
                        adapter,
                        account,
                        missing = r.missing.len(),
                        stale = r.stale.len(),
                        in_agreement = r.in_agreement,
                        only_in_store = r.only_in_store.len(),
                        "reconciled"
                    ),
                    Err(e) => tracing::warn!(adapter, account, "reconciliation failed: {e}"),
                }
            }
        }));
    }
    tasks.extend(accounts.into_iter().map(|(adapter, account, schedule)| {
        let poller = poller.clone();
        tokio::spawn(async move {
            tracing::info!(
                adapter,
                account,
                interval = ?schedule.interval,
                "polling scheduled"
            );
            let mut wait = jitter(schedule.jitter);
            loop {
                tokio::time::sleep(wait).await;
                wait = match poller
                    .poll_account(&adapter, &account, schedule.max_pages)
                    .await
                {
                    Ok(report) if report.more_left => Duration::ZERO,
                    Ok(report) => {
                        tracing::debug!(adapter, account, ?report, "poll run done");
                        schedule.interval + jitter(schedule.jitter)
                    }
                    // Already logged and recorded on the poll state.
                    Err(_) => schedule.interval + jitter(schedule.jitter),
                };
            }
        })
    }));
    tasks
}

/// A random duration up to `max`. Spreading load needs no strong
/// randomness: the std hasher's per-process random keys are enough.
fn jitter(max: Duration) -> Duration {
    if max.is_zero() {
        return Duration::ZERO;
    }
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    let max_ms = max.as_millis().max(1) as u64;
    Duration::from_millis(hasher.finish() % (max_ms + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_its_bound() {
        for _ in 0..200 {
            assert!(jitter(Duration::from_millis(50)) <= Duration::from_millis(50));
        }
        assert_eq!(jitter(Duration::ZERO), Duration::ZERO);
    }
}
