//! A broken or hostile adapter cannot take the host down or escape its sandbox.

use orderhub_tests::{HostOptions, TestAccount, TestHost, Webhook};

async fn hostile_host() -> TestHost {
    let account = TestAccount {
        adapter: "test-hostile".into(),
        id: "t".into(),
        secrets: vec!["s".into()],
        credentials: vec![],
        carriers: vec![],
        extra: String::new(),
    };
    TestHost::start(HostOptions {
        adapters: vec!["test-hostile"],
        accounts: vec![account],
        adapters_extra: "[adapters.limits.test-hostile]\nwall_clock_ms = 300\nmemory_mb = 32\n"
            .into(),
        ..Default::default()
    })
    .await
    .expect("host starts")
}

fn hostile(body: &str) -> Webhook {
    Webhook {
        headers: vec![("x-test-signature".into(), "s".into())],
        body: body.as_bytes().to_vec(),
    }
}

async fn dead_letter_kind(host: &TestHost, body: &str) -> (String, String) {
    let (status, _) = host
        .send("test-hostile", "t", &hostile(body))
        .await
        .unwrap();
    assert_eq!(
        status, 200,
        "a crashing adapter dead-letters the delivery and the platform gets 2xx"
    );
    let dead = host.store().list_inbox(true, 100).unwrap();
    let entry = dead
        .iter()
        .find(|e| {
            host.store()
                .inbox_entry(e.id)
                .unwrap()
                .unwrap()
                .request
                .body
                == body.as_bytes()
        })
        .expect("dead-lettered");
    (
        entry.error_kind.clone().unwrap_or_default(),
        entry.error_message.clone().unwrap_or_default(),
    )
}

#[tokio::test]
async fn trap_is_dead_lettered() {
    let host = hostile_host().await;
    let (kind, message) = dead_letter_kind(&host, "trap").await;
    assert_eq!(kind, "trap");
    assert!(message.contains("unreachable"), "{message}");
}

#[tokio::test]
async fn endless_loop_is_stopped_and_the_host_keeps_serving() {
    let host = hostile_host().await;
    let loop_request = hostile("loop");
    let looping = host.send("test-hostile", "t", &loop_request);
    let meanwhile = async {
        let mut statuses = Vec::new();
        for i in 0..5 {
            statuses.push(
                host.send("test-hostile", "t", &hostile(&format!("ok-{i}")))
                    .await
                    .unwrap()
                    .0,
            );
        }
        statuses
    };
    let (looped, statuses) = tokio::join!(looping, meanwhile);
    assert_eq!(looped.unwrap().0, 200);
    assert_eq!(statuses, [200; 5]);
    let dead = host.store().list_inbox(true, 10).unwrap();
    assert_eq!(dead.len(), 1);
    let kind = dead[0].error_kind.as_deref().unwrap();
    assert!(kind == "timeout" || kind == "fuel-exhausted", "{kind}");
    assert_eq!(host.store().list_orders(10).unwrap().len(), 5);
}

#[tokio::test]
async fn unbounded_allocation_hits_the_memory_cap() {
    let host = hostile_host().await;
    let (kind, message) = dead_letter_kind(&host, "alloc").await;
    assert_eq!(kind, "memory-limit");
    assert!(message.contains("33554432 bytes"), "{message}");
    let (status, _) = host
        .send("test-hostile", "t", &hostile("after-alloc"))
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert!(
        host.store()
            .order("test-hostile", "t", "after-alloc")
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn files_environment_and_sockets_are_out_of_reach() {
    // SAFETY: set before the host starts any thread that reads the environment.
    unsafe { std::env::set_var("ORDERHUB_TEST_SECRET_IN_ENV", "must-not-leak") };
    let host = hostile_host().await;
    let (kind, message) = dead_letter_kind(&host, "escape").await;
    assert_eq!(kind, "unsupported", "{message}");
    assert!(message.contains("sandbox held"), "{message}");
    assert!(!message.contains("leaked"), "{message}");
}
