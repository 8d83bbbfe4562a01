//! The OpenAPI description of `/api/v1` and its docs page (swagger-ui served
//! from assets embedded in the binary).

use axum::{
    response::{Html, IntoResponse},
    routing::get,
    Json, Router,
};
use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};

use crate::{audit, customer, import, messaging, occupancy, org, property, report, settings, visit, workorder, SharedState};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "管家 Guanjia API", description = "物业客户关系与服务系统的 JSON 接口。用浏览器会话（写操作须带 X-CSRF-Token）或 `Authorization: Bearer <令牌>` 调用。列表接口接受 page、per_page、q、sort，返回 {\"items\":[…],\"total\":N}；错误返回 {\"error\":{\"code\",\"message\",\"fields\"}}：401 未登录，404 不存在或无权访问，409 版本冲突或状态不允许，422 校验失败。"),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    paths(
        org::api::login, org::api::logout, org::api::me, org::api::change_password,
        org::api::list_tokens, org::api::issue_token, org::api::revoke_token, org::api::permissions,
        org::api::list_units, org::api::create_unit, org::api::get_unit, org::api::update_unit, org::api::delete_unit,
        org::api::move_unit, org::api::enable_unit, org::api::disable_unit,
        org::api::list_users, org::api::create_user, org::api::get_user, org::api::update_user,
        org::api::reset_password, org::api::unlock_user, org::api::enable_user, org::api::disable_user,
        org::api::list_roles, org::api::create_role, org::api::get_role, org::api::update_role, org::api::enable_role, org::api::disable_role,
        settings::api::dictionary_types, settings::api::list_items, settings::api::create_item, settings::api::update_item,
        settings::api::list_rules, settings::api::update_rule, settings::api::get_calendar, settings::api::update_calendar,
        settings::api::list_holidays, settings::api::add_holiday, settings::api::delete_holiday,
        audit::api::list_audit, audit::api::get_audit, audit::api::list_logins,
        messaging::api::list, messaging::api::mine, messaging::api::create, messaging::api::get_one, messaging::api::update,
        messaging::api::publish, messaging::api::withdraw,
        property::api::list, property::api::create, property::api::get_one, property::api::update,
        property::api::list_buildings, property::api::create_building, property::api::get_building, property::api::update_building,
        property::api::list_rooms, property::api::create_room, property::api::get_room, property::api::update_room,
        property::api::preview_batch, property::api::commit_batch,
        customer::api::list, customer::api::create, customer::api::get_one, customer::api::update, customer::api::delete,
        customer::api::rooms, customer::api::enable, customer::api::disable, customer::api::request_rename,
        customer::api::list_renames, customer::api::approve, customer::api::reject,
        occupancy::api::room_occupancy, occupancy::api::create_handover, occupancy::api::move_in, occupancy::api::move_out,
        occupancy::api::room_customers, occupancy::api::leases,
        import::api_upload, import::api_job, import::api_report, import::api_template,
        workorder::api::list, workorder::api::create, workorder::api::get_one, workorder::api::act, workorder::api::lookup, workorder::service_settings::api_targets, workorder::service_settings::api_save_target, workorder::service_settings::api_warranties, workorder::service_settings::api_save_warranty,
        workorder::api::add_photos, workorder::api::list_photos, workorder::api::photo_bytes,
        visit::api::list, visit::api::queue, visit::api::get_one, visit::api::create,
        workorder::escalation::get_rules, workorder::escalation::put_rules,
        messaging::inbox::list, messaging::inbox::unread_count, messaging::inbox::read, messaging::inbox::read_all,
        report::workbench_api,
        report::measures::api,
    )
)]
struct ApiDoc;

async fn spec() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}

async fn docs() -> Html<&'static str> {
    Html(
        r##"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>管家 API 文档</title>
<link rel="stylesheet" href="/assets/vendor/swagger-ui.css"></head><body><div id="swagger"></div>
<script src="/assets/vendor/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger" });</script></body></html>"##,
    )
}

pub fn routes() -> Router<SharedState> {
    Router::new().route("/api/openapi.json", get(spec)).route("/api/docs", get(docs))
}
