//! The web shop part of the admin API (`/admin/webshop/...`): what people do on the web
//! behind the POS's back (register, edit their data, close their account), the web shop's
//! faults and cursor expiry, and the writes the POS sent it.

use super::data::WebState;
use super::model::{WebCustomer, WebCustomerFields};
use super::writes::ReceivedWebWrite;
use crate::sim::admin::{Admin, json_body, switch_fault};
use crate::sim::error::ApiError;
use crate::sim::faults::{self, Fault};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::Arc;

impl Admin {
    /// Switches the web shop API to `fault`: `refuse` closes its listener only.
    pub async fn set_webshop_fault(&self, fault: Fault) -> Result<(), ApiError> {
        switch_fault(&self.webshop, &self.webshop_faults, fault).await
    }

    /// The web shop's current fault.
    pub fn webshop_fault(&self) -> Fault {
        faults::current(&self.webshop_faults)
    }

    /// Registers a web customer; it takes the next web shop version.
    pub async fn register_web_customer(&self, fields: WebCustomerFields) -> Result<WebCustomer, ApiError> {
        fields.validate().map_err(ApiError::bad_request)?;
        self.store.call(move |store| store.register_web_customer(&fields)).await?
    }

    /// Replaces a web customer's data as the customer does on the web (see
    /// [`Store::edit_web_customer`](crate::sim::data::Store::edit_web_customer)).
    pub async fn edit_web_customer(&self, id: &str, fields: WebCustomerFields) -> Result<WebCustomer, ApiError> {
        if fields.id.as_deref().is_some_and(|given| given != id) {
            return Err(ApiError::bad_request(format!("`id` in the body differs from {id} in the path")));
        }
        fields.validate().map_err(ApiError::bad_request)?;
        let id = id.to_owned();
        self.store.call(move |store| store.edit_web_customer(&id, &fields)).await?
    }

    /// Closes a web customer's account, leaving a tombstone; returns its version.
    pub async fn delete_web_customer(&self, id: &str) -> Result<i64, ApiError> {
        let owned = id.to_owned();
        self.store
            .call(move |store| store.delete_web_customer(&owned))
            .await?
            .ok_or_else(|| ApiError::not_found(format!("no web customer {id}")))
    }

    /// A live web customer.
    pub async fn web_customer(&self, id: &str) -> Result<WebCustomer, ApiError> {
        let owned = id.to_owned();
        self.store
            .call(move |store| store.web_customer(&owned))
            .await?
            .ok_or_else(|| ApiError::not_found(format!("no web customer {id}")))
    }

    /// Every live web customer, by id.
    pub async fn web_customers(&self) -> Result<Vec<WebCustomer>, ApiError> {
        Ok(self.store.call(|store| store.web_customers()).await?)
    }

    /// Every write the web shop received, oldest first.
    pub async fn webshop_received(&self) -> Result<Vec<ReceivedWebWrite>, ApiError> {
        Ok(self.store.call(|store| store.web_received()).await?)
    }

    /// Drops the web shop's tombstones so far; returns the horizon older cursors fall behind.
    pub async fn expire_webshop_cursors(&self) -> Result<i64, ApiError> {
        Ok(self.store.call(|store| store.expire_web_cursors()).await?)
    }

    /// The web shop's version, horizon and seeding.
    pub async fn webshop_state(&self) -> Result<WebState, ApiError> {
        Ok(self.store.call(|store| store.web_state()).await?)
    }
}

/// The `/admin/webshop/...` routes.
pub fn routes() -> Router<Arc<Admin>> {
    Router::new()
        .route("/admin/webshop/fault", get(get_fault).post(set_fault))
        .route("/admin/webshop/customers", get(list).post(register))
        .route("/admin/webshop/customers/{id}", get(fetch).put(edit).delete(delete))
        .route("/admin/webshop/received", get(received))
        .route("/admin/webshop/expire-cursors", post(expire_cursors))
        .route("/admin/webshop/state", get(state))
}

/// A registration or edit body, with a `400` naming the field that is wrong.
fn fields_body(body: Result<Bytes, BytesRejection>) -> Result<WebCustomerFields, ApiError> {
    let body: Value = json_body(body)?;
    WebCustomerFields::from_json(&body, true).map_err(ApiError::bad_request)
}

async fn get_fault(State(admin): State<Arc<Admin>>) -> Response {
    Json(json!({ "fault": admin.webshop_fault() })).into_response()
}

async fn set_fault(State(admin): State<Arc<Admin>>, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let fault: Fault = json_body(body)?;
    admin.set_webshop_fault(fault).await?;
    Ok(Json(json!({ "fault": admin.webshop_fault() })).into_response())
}

async fn list(State(admin): State<Arc<Admin>>) -> Result<Response, ApiError> {
    let customers = admin.web_customers().await?;
    Ok(Json(json!({ "count": customers.len(), "customers": customers })).into_response())
}

async fn register(State(admin): State<Arc<Admin>>, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let fields = fields_body(body)?;
    Ok((StatusCode::CREATED, Json(admin.register_web_customer(fields).await?)).into_response())
}

async fn fetch(State(admin): State<Arc<Admin>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    Ok(Json(admin.web_customer(&id).await?).into_response())
}

async fn edit(
    State(admin): State<Arc<Admin>>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let fields = fields_body(body)?;
    Ok(Json(admin.edit_web_customer(&id, fields).await?).into_response())
}

async fn delete(State(admin): State<Arc<Admin>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let version = admin.delete_web_customer(&id).await?;
    Ok(Json(json!({ "id": id, "version": version })).into_response())
}

async fn received(State(admin): State<Arc<Admin>>) -> Result<Response, ApiError> {
    Ok(Json(json!({ "writes": admin.webshop_received().await? })).into_response())
}

async fn expire_cursors(State(admin): State<Arc<Admin>>) -> Result<Response, ApiError> {
    let horizon = admin.expire_webshop_cursors().await?;
    Ok(Json(json!({ "horizon": horizon })).into_response())
}

async fn state(State(admin): State<Arc<Admin>>) -> Result<Response, ApiError> {
    let state = admin.webshop_state().await?;
    Ok(Json(json!({
        "version": state.version,
        "horizon": state.horizon,
        "seeded_web_customers": state.seeded,
        "fault": admin.webshop_fault(),
    }))
    .into_response())
}
