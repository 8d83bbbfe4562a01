//! The frame around every page: top navigation by module (only modules the
//! caller may open), side navigation, breadcrumb and toast.

use app::Caller;
use axum::response::{Html, IntoResponse, Response};

use crate::auth::{clear_flash, PageAuth};

#[derive(Debug, Clone)]
pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    pub active: bool,
}

pub struct Shell {
    pub title: String,
    pub csrf: String,
    pub user_name: String,
    pub org_name: String,
    pub nav: Vec<NavItem>,
    pub module_label: &'static str,
    pub side: Vec<NavItem>,
    pub breadcrumb: Vec<String>,
    pub flash: Option<String>,
    /// The flash reports a refusal rather than a success.
    pub flash_error: bool,
    pub todo_count: u64,
    /// Unread notifications, on the bell (通知) of the quick toolbar.
    pub unread_count: u64,
    /// Shows 新建工单 in the quick toolbar.
    pub can_create_order: bool,
}

/// A module of the top navigation: its label, home, the permission that
/// opens it, and its side navigation (label, href, permission).
struct Module {
    code: &'static str,
    label: &'static str,
    side: &'static [(&'static str, &'static str, &'static str)],
}

const MODULES: &[Module] = &[
    Module { code: "report", label: "工作台", side: &[("我的工作台", "/", "")] },
    Module {
        code: "customer",
        label: "客户",
        side: &[
            ("客户资料", "/customers", "customer.view"),
            ("更名审批", "/customers/renames", "customer.view"),
            ("房产客户关系", "/occupancy/rooms", "occupancy.view"),
            ("租约到期", "/occupancy/leases", "occupancy.view"),
            ("数据导入", "/imports", "customer.import"),
        ],
    },
    Module {
        code: "workorder",
        label: "工单",
        side: &[
            ("工单队列", "/workorders", "workorder.view"),
            ("我的工单", "/workorders?mine=1", "workorder.handle"),
            ("超时工单", "/workorders?overdue=1", "workorder.view"),
            ("服务参数", "/workorders/settings", "workorder.configure"),
            ("升级规则", "/workorders/escalation", "workorder.configure"),
        ],
    },
    Module {
        code: "visit",
        label: "回访",
        side: &[
            ("待回访工单", "/visits/queue", "visit.view"),
            ("回访记录", "/visits", "visit.view"),
            ("关怀回访", "/visits/care/new", "visit.create"),
        ],
    },
    Module {
        code: "property",
        label: "房产",
        side: &[("项目", "/property/projects", "property.view"), ("房间", "/property/rooms", "property.view")],
    },
    Module { code: "reports", label: "报表", side: &[("服务指标", "/reports/workorder-measures", "report.view")] },
    Module {
        code: "system",
        label: "系统",
        side: &[
            ("组织架构", "/system/org", "org.view"),
            ("用户", "/system/users", "user.view"),
            ("角色权限", "/system/roles", "role.view"),
            ("公告", "/system/announcements", "announcement.view"),
            ("辅助资料", "/system/dictionaries", "settings.view"),
            ("编号规则", "/system/numbering", "settings.view"),
            ("工作日历", "/system/calendar", "settings.view"),
            ("操作日志", "/system/audit", "audit.view"),
            ("登录日志", "/system/logins", "audit.view"),
        ],
    },
];

/// The side items the caller may open; the one whose address is the
/// longest prefix of the current path is active (`/customers/renames`
/// belongs to 更名审批, not to 客户资料).
fn visible_side(m: &Module, caller: &Caller, path: &str) -> Vec<NavItem> {
    let items: Vec<(&'static str, &'static str)> =
        m.side.iter().filter(|(_, _, perm)| perm.is_empty() || caller.can(perm)).map(|(l, h, _)| (*l, *h)).collect();
    let active = items.iter().filter(|(_, h)| is_under(path, h)).map(|(_, h)| *h).max_by_key(|h| h.len());
    items.into_iter().map(|(label, href)| NavItem { label, href, active: Some(href) == active }).collect()
}

fn is_under(path: &str, href: &str) -> bool {
    if href == "/" {
        path == "/"
    } else {
        path == href || path.starts_with(&format!("{href}/"))
    }
}

impl Shell {
    /// The frame for a page of `module` titled `title`.
    pub fn new(auth: &PageAuth, module: &str, title: &str, org_name: String) -> Self {
        let caller = &auth.caller;
        // Until the first password change every link leads back to the
        // password form, so none is offered.
        let modules = if caller.must_change_password { &[][..] } else { MODULES };
        let nav = modules
            .iter()
            .filter_map(|m| {
                let side = visible_side(m, caller, &auth.path);
                side.first().map(|first| NavItem { label: m.label, href: first.href, active: m.code == module })
            })
            .collect();
        let current = MODULES.iter().find(|m| m.code == module);
        let side = current.map(|m| visible_side(m, caller, &auth.path)).unwrap_or_default();
        let module_label = current.map_or("", |m| m.label);
        Self {
            title: title.into(),
            csrf: caller.csrf_token.clone(),
            user_name: caller.display_name.clone(),
            org_name,
            nav,
            module_label,
            side: if side.len() > 1 { side } else { vec![] },
            breadcrumb: [module_label, title].into_iter().filter(|s| !s.is_empty()).map(str::to_string).collect(),
            flash: auth.flash.as_deref().map(|f| f.trim_start_matches('!').to_string()),
            flash_error: auth.flash.as_deref().is_some_and(|f| f.starts_with('!')),
            todo_count: 0,
            unread_count: 0,
            can_create_order: caller.can("workorder.create") && !caller.must_change_password,
        }
    }
}

/// Renders a template into a response, clearing a shown flash message.
pub fn render(t: &impl askama::Template, flash_shown: bool) -> Response {
    match t.render() {
        Ok(html) => {
            let mut r = Html(html).into_response();
            if flash_shown {
                clear_flash(&mut r);
            }
            r
        }
        Err(e) => crate::error::PageError(app::AppError::Internal(e.into())).into_response(),
    }
}

/// Builds the frame for a page, with the caller's org name.
pub async fn shell(st: &crate::AppState, auth: &PageAuth, module: &str, title: &str) -> Shell {
    let org_name = app::org::unit::name_of(&st.db, auth.caller.company_id.unwrap_or(auth.caller.org_unit_id)).await.unwrap_or_default();
    let mut s = Shell::new(auth, module, title, org_name);
    s.unread_count = app::messaging::inbox::unread_count(&st.db, &auth.caller).await.unwrap_or(0);
    s
}

#[derive(askama::Template)]
#[template(path = "list.html")]
pub struct ListPage {
    pub shell: Shell,
    pub list: crate::view::ListView,
}

#[derive(askama::Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub shell: Shell,
    pub form: crate::view::FormView,
}

/// A list page, or its Excel export when `export` is set.
pub async fn list_page(st: &crate::AppState, auth: &PageAuth, module: &str, list: crate::view::ListView, export: bool) -> Response {
    if export {
        return xlsx_response(list);
    }
    let shell = shell(st, auth, module, &list.title).await;
    render(&ListPage { shell, list }, auth.flash.is_some())
}

fn xlsx_response(list: crate::view::ListView) -> Response {
    use axum::http::header;
    let name = format!("{}-{}.xlsx", list.title, chrono::Utc::now().format("%Y%m%d"));
    match list.into_xlsx() {
        Ok(bytes) => {
            let disposition = format!("attachment; filename=\"export.xlsx\"; filename*=UTF-8''{}", crate::view::urlencode(&name));
            (
                [
                    (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => crate::error::PageError(app::AppError::Internal(e)).into_response(),
    }
}

/// A form page with the given status (200, or 422/409 when re-rendered
/// with errors so nothing typed is lost).
pub async fn form_page(
    st: &crate::AppState,
    auth: &PageAuth,
    module: &str,
    form: crate::view::FormView,
    status: axum::http::StatusCode,
) -> Response {
    let shell = shell(st, auth, module, &form.title).await;
    let mut r = render(&FormPage { shell, form }, auth.flash.is_some());
    *r.status_mut() = status;
    r
}

/// Turns a refused save into the same form with the messages in place;
/// other failures become an error page.
pub fn refused(
    e: app::AppError,
    form: crate::view::FormView,
) -> Result<(crate::view::FormView, axum::http::StatusCode), crate::error::PageError> {
    use axum::http::StatusCode;
    match e {
        app::AppError::Validation(errors) => Ok((form.with_errors(&errors), StatusCode::UNPROCESSABLE_ENTITY)),
        app::AppError::Conflict(m) => Ok((form.with_message(m), StatusCode::CONFLICT)),
        other => Err(other.into()),
    }
}

/// After a row action: back to the list with the outcome as a toast; a
/// refused action (stale version, still referenced…) shows as an error toast.
pub fn state_change(back: &str, result: Result<String, app::AppError>) -> Result<Response, crate::error::PageError> {
    match result {
        Ok(message) => Ok(crate::auth::redirect_with_flash(back, &message)),
        Err(app::AppError::Conflict(m)) => Ok(crate::auth::redirect_with_flash(back, &format!("!{m}"))),
        Err(e) => Err(e.into()),
    }
}

/// Whether a list request asks for the page or its Excel export: the same
/// handler serves `…/list` and `…/list/export`, so both show the same rows.
pub struct ListMode {
    pub export: bool,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ListMode {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self { export: parts.uri.path().ends_with("/export") })
    }
}

impl ListMode {
    /// The request to run: for an export, checks `permission` and asks for
    /// every matching row.
    pub fn prepare(&self, caller: &app::Caller, permission: &str, req: app::PageRequest) -> Result<app::PageRequest, app::AppError> {
        if self.export {
            caller.require(permission)?;
            Ok(req.for_export())
        } else {
            Ok(req)
        }
    }
}
