//! A saved request's examples (responses saved from it): `POST /requests/{id}/examples` and
//! `DELETE /requests/{id}/examples/{index}`. They live in the request's Postman item, so
//! exports carry them and imported ones are listed by `GET /requests/{id}`.

use crate::api::error::ApiError;
use crate::api::reply::Reply;
use crate::api::AppState;
use crate::collection::{add_example, api_example, remove_example, NewExample};
use crate::store::StoreError;
use serde_json::{json, Value};

/// `POST /requests/{id}/examples`: 201 with the example as `GET /requests/{id}` lists it.
pub(crate) fn create_example(state: &AppState, id: &str, body: Value) -> Result<Reply, ApiError> {
    let example = NewExample::from_value(body).map_err(|e| ApiError::invalid(e, ""))?;
    let postman = example.to_postman();
    let saved = postman.clone();
    let index = state.store.writer().edit_request_item(
        id,
        Box::new(move |item| add_example(item, saved).map_err(StoreError::Conflict)),
    )?;
    let mut out = api_example(&postman);
    out["index"] = json!(index);
    Ok(Reply::created(out, format!("/requests/{id}")))
}

/// `DELETE /requests/{id}/examples/{index}`: 204, or 404 when there is no such example. The
/// index is the path's last segment (the route table names one id).
pub(crate) fn delete_example(state: &AppState, id: &str, path: &str) -> Result<Reply, ApiError> {
    let segment = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let index: usize = segment.parse().map_err(|_| {
        ApiError::not_found(format!(
            "`{segment}` is not an example index; use the position GET /requests/{id} lists it at, from 0"
        ))
    })?;
    let label = segment.to_string();
    state.store.writer().edit_request_item(
        id,
        Box::new(move |item| match remove_example(item, index) {
            true => Ok(()),
            false => Err(StoreError::NotFound {
                what: "example",
                id: label,
            }),
        }),
    )?;
    Ok(Reply::NoContent)
}

/// The examples of request `id`, for `GET /requests/{id}`.
pub(crate) fn examples_of(reader: &crate::store::Reader, id: &str) -> Result<Value, ApiError> {
    let item = reader.request_item(id)?;
    let mut list = crate::collection::api_examples(item.as_ref());
    for (i, e) in list.iter_mut().enumerate() {
        e["index"] = json!(i);
    }
    Ok(Value::Array(list))
}
