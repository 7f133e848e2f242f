//! The admin API: what tests and the demo do to the ERP behind the POS's back (faults,
//! customer changes, cursor expiry, settings) and what they inspect (received writes, the
//! customers a workstation should have). The web shop's part is in `webshop/admin.rs`.
//!
//! [`Admin`] holds the operations; the HTTP handlers and the Rust helpers of
//! [`Simulator`](super::Simulator) both call them.

use super::api::{Params, method_not_allowed, no_route};
use super::data::{State as ServiceState, Store};
use super::error::ApiError;
use super::faults::{self, Fault, FaultMode, FaultState};
use super::model::{AdminCustomer, Customer, SimCustomer};
use super::server::Server;
use super::webshop;
use super::writes::ReceivedWrite;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde_json::json;
use std::sync::{Arc, PoisonError};

/// The operations behind the admin API.
pub struct Admin {
    pub store: Arc<Store>,
    /// The ERP API's fault.
    pub faults: FaultState,
    pub erp: Server,
    /// The web shop API's fault, apart from the ERP's as it is another system.
    pub webshop_faults: FaultState,
    pub webshop: Server,
}

/// Switches `server` to `fault`: `refuse` closes its listener, any other mode makes sure it
/// listens.
pub async fn switch_fault(server: &Server, state: &FaultState, fault: Fault) -> Result<(), ApiError> {
    fault.validate().map_err(ApiError::bad_request)?;
    let store = |fault| *state.write().unwrap_or_else(PoisonError::into_inner) = fault;
    if fault.mode == FaultMode::Refuse {
        store(fault);
        server.close().await;
    } else {
        server
            .open()
            .await
            .map_err(|e| ApiError::internal(format!("cannot listen on {} again: {e}", server.addr())))?;
        store(fault);
    }
    Ok(())
}

impl Admin {
    /// Switches the ERP API to `fault`: `refuse` closes its listener only.
    pub async fn set_fault(&self, fault: Fault) -> Result<(), ApiError> {
        switch_fault(&self.erp, &self.faults, fault).await
    }

    /// The current fault.
    pub fn fault(&self) -> Fault {
        faults::current(&self.faults)
    }

    /// Creates or replaces a customer; the write takes the next version.
    pub async fn upsert(&self, customer: AdminCustomer) -> Result<SimCustomer, ApiError> {
        if customer.fields.number.is_none() {
            return Err(ApiError::bad_request("`number` is required"));
        }
        customer.fields.validate().map_err(ApiError::bad_request)?;
        let lists = customer.tags.iter().chain(customer.workstations.iter().flatten());
        if lists.clone().any(|item| item.contains(',') || item.is_empty()) {
            return Err(ApiError::bad_request("`tags` and `workstations` entries must be non-empty and without `,`"));
        }
        Ok(self.store.call(move |store| store.upsert(&customer)).await?)
    }

    /// Deletes a customer, leaving a tombstone; returns the tombstone's version.
    pub async fn delete(&self, number: &str) -> Result<i64, ApiError> {
        let owned = number.to_owned();
        self.store
            .call(move |store| store.delete(&owned))
            .await?
            .ok_or_else(|| ApiError::not_found(format!("no customer {number}")))
    }

    /// Marks a customer inactive.
    pub async fn deactivate(&self, number: &str) -> Result<SimCustomer, ApiError> {
        let owned = number.to_owned();
        self.store
            .call(move |store| store.deactivate(&owned))
            .await?
            .ok_or_else(|| ApiError::not_found(format!("no customer {number}")))
    }

    /// A customer with its tags and workstations.
    pub async fn customer(&self, number: &str) -> Result<SimCustomer, ApiError> {
        let owned = number.to_owned();
        self.store
            .call(move |store| store.get(&owned))
            .await?
            .ok_or_else(|| ApiError::not_found(format!("no customer {number}")))
    }

    /// Drops the change history so far; returns the horizon older cursors fall behind.
    pub async fn expire_cursors(&self) -> Result<i64, ApiError> {
        Ok(self.store.call(|store| store.expire_cursors()).await?)
    }

    /// Turns online search on or off.
    pub async fn set_online_search(&self, enabled: bool) -> Result<(), ApiError> {
        Ok(self.store.call(move |store| store.set_online_search(enabled)).await?)
    }

    /// Every write received, oldest first.
    pub async fn received(&self) -> Result<Vec<ReceivedWrite>, ApiError> {
        Ok(self.store.call(|store| store.received()).await?)
    }

    /// Every customer `workstation` may see, in number order.
    pub async fn visible(&self, workstation: &str, active_only: bool) -> Result<Vec<Customer>, ApiError> {
        let workstation = workstation.to_owned();
        Ok(self.store.call(move |store| store.visible(&workstation, active_only)).await?)
    }

    /// How many customers `workstation` may see.
    pub async fn count_visible(&self, workstation: &str, active_only: bool) -> Result<u64, ApiError> {
        let workstation = workstation.to_owned();
        Ok(self.store.call(move |store| store.count_visible(&workstation, active_only)).await?)
    }

    /// The service state: version, horizon, settings and seeding.
    pub async fn state(&self) -> Result<ServiceState, ApiError> {
        Ok(self.store.call(|store| store.state()).await?)
    }
}

/// The admin routes.
pub fn router(admin: Arc<Admin>) -> Router {
    Router::new()
        .route("/admin/fault", get(get_fault).post(set_fault))
        .route("/admin/customers", get(list_customers).post(upsert))
        .route("/admin/customers/{number}", get(get_customer).delete(delete))
        .route("/admin/customers/{number}/deactivate", post(deactivate))
        .route("/admin/expire-cursors", post(expire_cursors))
        .route("/admin/settings", post(set_settings))
        .route("/admin/received", get(received))
        .route("/admin/state", get(state))
        .merge(webshop::admin_routes())
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(admin)
}

/// Parses a JSON body into `T`, with a `400` naming what is wrong.
pub fn json_body<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    let body = body.map_err(|e| ApiError::new(e.status(), "bad_request", e.body_text()))?;
    serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("bad body: {e}")))
}

async fn get_fault(State(admin): State<Arc<Admin>>) -> Response {
    Json(json!({ "fault": admin.fault() })).into_response()
}

async fn set_fault(State(admin): State<Arc<Admin>>, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let fault: Fault = json_body(body)?;
    admin.set_fault(fault).await?;
    Ok(Json(json!({ "fault": admin.fault() })).into_response())
}

async fn list_customers(
    State(admin): State<Arc<Admin>>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let params = Params::parse(query, &["workstation", "active"])?;
    let workstation =
        params.get("workstation").ok_or_else(|| ApiError::bad_request("parameter `workstation` is required"))?;
    let active_only = match params.get("active") {
        None | Some("all") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!("parameter `active` must be `true` or `all`, not `{other}`")));
        }
    };
    let customers = admin.visible(workstation, active_only).await?;
    Ok(Json(json!({ "count": customers.len(), "customers": customers })).into_response())
}

async fn upsert(State(admin): State<Arc<Admin>>, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let customer: AdminCustomer = json_body(body)?;
    Ok(Json(admin.upsert(customer).await?).into_response())
}

async fn get_customer(State(admin): State<Arc<Admin>>, Path(number): Path<String>) -> Result<Response, ApiError> {
    Ok(Json(admin.customer(&number).await?).into_response())
}

async fn delete(State(admin): State<Arc<Admin>>, Path(number): Path<String>) -> Result<Response, ApiError> {
    let version = admin.delete(&number).await?;
    Ok(Json(json!({ "number": number, "version": version })).into_response())
}

async fn deactivate(State(admin): State<Arc<Admin>>, Path(number): Path<String>) -> Result<Response, ApiError> {
    Ok(Json(admin.deactivate(&number).await?).into_response())
}

async fn expire_cursors(State(admin): State<Arc<Admin>>) -> Result<Response, ApiError> {
    let horizon = admin.expire_cursors().await?;
    Ok(Json(json!({ "horizon": horizon })).into_response())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    online_search_enabled: bool,
}

async fn set_settings(
    State(admin): State<Arc<Admin>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let settings: Settings = json_body(body)?;
    admin.set_online_search(settings.online_search_enabled).await?;
    Ok(Json(json!({ "online_search_enabled": settings.online_search_enabled })).into_response())
}

async fn received(State(admin): State<Arc<Admin>>) -> Result<Response, ApiError> {
    Ok(Json(json!({ "writes": admin.received().await? })).into_response())
}

async fn state(State(admin): State<Arc<Admin>>) -> Result<Response, ApiError> {
    let state = admin.state().await?;
    Ok(Json(json!({
        "version": state.version,
        "horizon": state.horizon,
        "online_search_enabled": state.online_search,
        "seed": state.seed,
        "seeded_customers": state.seeded,
        "fault": admin.fault(),
    }))
    .into_response())
}
