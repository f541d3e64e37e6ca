//! One store test suite, run against every backend.
//!
//! Each case in [`cases`] takes a [`backend::Backend`] and asserts concrete
//! values; the macro below runs every case once on SQLite (a temporary file)
//! and once on PostgreSQL (a fresh schema, dropped afterwards). PostgreSQL
//! must be reachable (`ORDERHUB_TEST_POSTGRES_URL`, by default the local
//! server `.ci/run` starts): when it is not, its cases fail and say so.

mod backend;
mod cases;
mod events;
mod parcels;
mod polling;
mod rederive;

macro_rules! on_every_backend {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $case() {
                    crate::$case(&crate::backend::Backend::sqlite());
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $case() {
                    crate::$case(&crate::backend::Backend::postgres());
                }
            )*
        }
    };
}

use cases::*;
use parcels::*;
use polling::*;
use rederive::*;

on_every_backend!(
    commit_then_duplicate,
    an_event_is_recorded_once_across_deliveries,
    out_of_order_statuses_end_at_the_newest,
    terminal_states_are_final,
    the_latest_hold_change_wins,
    after_sale_is_its_own_dimension,
    shipment_tracking_never_goes_back,
    dead_letter_then_recommit,
    auth_failures_newest_first,
    timelines_order_by_event_time_then_arrival,
    lists_and_inbox_queries,
    inventory_keeps_the_newest_level,
    export_then_import_keeps_everything,
    import_is_all_or_nothing,
    reopening_keeps_data_and_schema,
    two_stores_racing_on_one_database,
    a_lost_connection_is_opened_again,
    text_the_store_cannot_hold_is_kept_raw,
    parcels_from_three_systems_drive_one_order,
    a_parcel_waits_for_its_order,
    a_parcel_in_trouble_holds_the_order,
    a_parcel_without_carrier_is_taken_over,
    confirmations_are_queued_once_and_claimed_once,
    a_cursor_moves_with_its_page_and_a_failure_keeps_it,
    deliveries_of_an_adapter_since_a_time_and_their_events,
);
