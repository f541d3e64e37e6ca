//! Poll cursors on every backend: a cursor moves only with the page it
//! covers, a duplicate page still moves it, and a failure keeps it.

use orderhub_core::model::OrderStatus;
use orderhub_host::store::CursorUpdate;

use crate::backend::Backend;
use crate::events::*;

pub fn a_cursor_moves_with_its_page_and_a_failure_keeps_it(b: &Backend) {
    let store = b.store();
    assert_eq!(store.poll_state(ADAPTER, ACCOUNT).unwrap(), None);
    let page = |name: &str| {
        delivery(
            name,
            vec![order_event(
                "1001",
                name,
                "orders/updated",
                Some("10:00"),
                lifecycle(OrderStatus::Paid),
            )],
        )
    };
    let moved = |cursor: &str| CursorUpdate {
        cursor: Some(cursor.to_string()),
        at: at("10:00"),
    };
    let committed = store.commit_poll_page(page("p1"), moved("c1")).unwrap();
    assert_eq!((committed.duplicate, committed.events_recorded), (false, 1));
    store
        .record_poll_failure(ADAPTER, ACCOUNT, at("10:05"), "platform answered 500")
        .unwrap();
    let state = store.poll_state(ADAPTER, ACCOUNT).unwrap().unwrap();
    assert_eq!(state.cursor.as_deref(), Some("c1"));
    assert_eq!(state.pages, 1);
    assert_eq!(state.last_error.as_deref(), Some("platform answered 500"));
    assert_eq!(state.last_error_at, Some(at("10:05")));

    // The same page again (an overlapping window): nothing new, cursor moves.
    let again = store.commit_poll_page(page("p1"), moved("c2")).unwrap();
    assert!(again.duplicate);
    // No cursor from the adapter keeps the current one.
    store
        .commit_poll_page(
            page("p3"),
            CursorUpdate {
                cursor: None,
                at: at("10:10"),
            },
        )
        .unwrap();
    let state = store.poll_state(ADAPTER, ACCOUNT).unwrap().unwrap();
    assert_eq!(state.cursor.as_deref(), Some("c2"));
    assert_eq!(state.pages, 3);
    assert_eq!(state.polled_at, Some(at("10:10")));
    assert_eq!(state.last_error, None, "a committed page clears the error");
    assert_eq!(store.poll_states().unwrap().len(), 1);
}
