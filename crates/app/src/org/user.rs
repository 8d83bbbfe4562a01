//! Users (SYS-2): who they are, where they sit, their roles and projects.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use domain::{audit::AuditAction, org::check_password_policy, validation::is_phone, FieldErrors};
use sea_orm::{
    sea_query::{Expr, Func, LikeExpr},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use super::auth::{end_sessions, hash_password};
use crate::{
    audit::{self, Change},
    db::claim_version,
    entity::{login_log, org_unit, project, role, user, user_project, user_role},
    list::like_pattern,
    AppError, AppResult, Caller, Db, Page, PageRequest,
};

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct UserInput {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub org_unit_id: Option<i32>,
    /// Initial password (create only); must be changed at first login.
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub role_ids: Vec<i32>,
    #[serde(default)]
    pub all_projects: bool,
    #[serde(default)]
    pub project_ids: Vec<i32>,
    #[serde(default)]
    pub superuser: bool,
}

/// A user as lists, pages and the API show it (never the password hash).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: i32,
    pub username: String,
    pub display_name: String,
    pub phone: String,
    pub org_unit_id: i32,
    pub org_unit_name: String,
    pub company_id: Option<i32>,
    pub enabled: bool,
    pub superuser: bool,
    pub all_projects: bool,
    pub must_change_password: bool,
    pub locked_until: Option<DateTime<Utc>>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub role_ids: Vec<i32>,
    pub role_names: Vec<String>,
    pub project_ids: Vec<i32>,
    pub version: i32,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct UserFilter {
    #[serde(default)]
    pub org_unit_id: Option<i32>,
    #[serde(default)]
    pub role_id: Option<i32>,
    #[serde(default)]
    pub enabled: Option<String>,
}

async fn views(db: &impl ConnectionTrait, users: Vec<user::Model>) -> AppResult<Vec<UserView>> {
    let ids: Vec<i32> = users.iter().map(|u| u.id).collect();
    let unit_ids: BTreeSet<i32> = users.iter().map(|u| u.org_unit_id).collect();
    let units: BTreeMap<i32, String> =
        org_unit::Entity::find().filter(org_unit::Column::Id.is_in(unit_ids)).all(db).await?.into_iter().map(|u| (u.id, u.name)).collect();
    let links = user_role::Entity::find().filter(user_role::Column::UserId.is_in(ids.clone())).all(db).await?;
    let roles: BTreeMap<i32, String> = role::Entity::find()
        .filter(role::Column::Id.is_in(links.iter().map(|l| l.role_id).collect::<BTreeSet<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let projects = user_project::Entity::find().filter(user_project::Column::UserId.is_in(ids)).all(db).await?;
    Ok(users
        .into_iter()
        .map(|u| {
            let role_ids: Vec<i32> = links.iter().filter(|l| l.user_id == u.id).map(|l| l.role_id).collect();
            UserView {
                role_names: role_ids.iter().filter_map(|r| roles.get(r).cloned()).collect(),
                project_ids: projects.iter().filter(|p| p.user_id == u.id).map(|p| p.project_id).collect(),
                role_ids,
                org_unit_name: units.get(&u.org_unit_id).cloned().unwrap_or_default(),
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                phone: u.phone,
                org_unit_id: u.org_unit_id,
                company_id: u.company_id,
                enabled: u.enabled,
                superuser: u.superuser,
                all_projects: u.all_projects,
                must_change_password: u.must_change_password,
                locked_until: u.locked_until,
                last_login_at: u.last_login_at,
                version: u.version,
            }
        })
        .collect())
}

/// How many enabled accounts the caller's units have (the workbench's count), without reading them.
pub async fn count_enabled(db: &Db, caller: &Caller) -> AppResult<u64> {
    caller.require("user.view")?;
    let cond = caller.units_condition(user::Column::OrgUnitId).add(user::Column::Enabled.eq(true));
    Ok(user::Entity::find().filter(cond).count(&db.conn).await?)
}

pub async fn list(db: &Db, caller: &Caller, req: &PageRequest, f: &UserFilter) -> AppResult<Page<UserView>> {
    caller.require("user.view")?;
    let mut cond = caller.units_condition(user::Column::OrgUnitId);
    if let Some(k) = req.keyword() {
        let p = like_pattern(&k.to_lowercase());
        let like = |c: user::Column| Expr::expr(Func::lower(Expr::col(c))).like(LikeExpr::new(p.clone()).escape('\\'));
        cond = cond
            .add(Condition::any().add(like(user::Column::Username)).add(like(user::Column::DisplayName)).add(like(user::Column::Phone)));
    }
    if let Some(u) = f.org_unit_id {
        cond = cond.add(user::Column::OrgUnitId.eq(u));
    }
    if let Some(r) = f.role_id {
        let users: Vec<i32> = user_role::Entity::find()
            .select_only()
            .column(user_role::Column::UserId)
            .filter(user_role::Column::RoleId.eq(r))
            .into_tuple()
            .all(&db.conn)
            .await?;
        cond = cond.add(user::Column::Id.is_in(users));
    }
    match f.enabled.as_deref() {
        Some("1") => cond = cond.add(user::Column::Enabled.eq(true)),
        Some("0") => cond = cond.add(user::Column::Enabled.eq(false)),
        _ => {}
    }
    let (key, desc) = req.sort_by(&["username", "display_name", "last_login_at", "id"], "id");
    let col = match key {
        "username" => user::Column::Username,
        "display_name" => user::Column::DisplayName,
        "last_login_at" => user::Column::LastLoginAt,
        _ => user::Column::Id,
    };
    let query = user::Entity::find().filter(cond);
    let total = query.clone().count(&db.conn).await?;
    let query = if desc { query.order_by_desc(col) } else { query.order_by_asc(col) };
    let rows = crate::list::page_rows(&db.conn, query, req).await?;
    Ok(Page::new(views(&db.conn, rows).await?, total))
}

async fn get_model(db: &impl ConnectionTrait, caller: &Caller, id: i32) -> AppResult<user::Model> {
    user::Entity::find_by_id(id).filter(caller.units_condition(user::Column::OrgUnitId)).one(db).await?.ok_or(AppError::NotFound)
}

pub async fn get(db: &Db, caller: &Caller, id: i32) -> AppResult<UserView> {
    caller.require("user.view")?;
    let u = get_model(&db.conn, caller, id).await?;
    Ok(views(&db.conn, vec![u]).await?.remove(0))
}

/// Validates roles and projects against the caller's scope and the user's
/// company; returns the company of the chosen unit.
async fn check_assignment(
    db: &impl ConnectionTrait,
    caller: &Caller,
    input: &UserInput,
    errors: &mut FieldErrors,
) -> AppResult<Option<org_unit::Model>> {
    let unit = match input.org_unit_id {
        Some(id) => super::unit::get(db, caller, id).await.ok(),
        None => None,
    };
    if unit.is_none() {
        errors.add("org_unit_id", "请选择所属组织");
    }
    let roles = role::Entity::find()
        .filter(role::Column::Id.is_in(input.role_ids.clone()))
        .filter(caller.units_condition(role::Column::OrgUnitId))
        .count(db)
        .await?;
    if roles as usize != input.role_ids.iter().collect::<BTreeSet<_>>().len() {
        errors.add("role_ids", "所选角色不存在或无权分配");
    }
    if let Some(u) = &unit {
        let visible: BTreeSet<i32> = project::Entity::find()
            .filter(project::Column::Id.is_in(input.project_ids.clone()))
            .all(db)
            .await?
            .into_iter()
            .filter(|p| caller.scope.sees_project(p.id) && Some(p.company_id) == u.company_id)
            .map(|p| p.id)
            .collect();
        if visible.len() != input.project_ids.iter().collect::<BTreeSet<_>>().len() {
            errors.add("project_ids", "所选项目不属于该用户所在公司或不在您的权限范围内");
        }
    }
    if input.superuser && !caller.is_superuser() {
        errors.add("superuser", "只有超级管理员可以授予超级管理员");
    }
    Ok(unit)
}

fn check_profile(input: &UserInput, errors: &mut FieldErrors) -> (String, String) {
    let name = errors.required("display_name", "姓名", &input.display_name);
    errors.max_chars("display_name", "姓名", &name, 64);
    let phone = input.phone.trim().to_string();
    if !phone.is_empty() && !is_phone(&phone) {
        errors.add("phone", "请填写正确的手机或固定电话号码");
    }
    (name, phone)
}

async fn replace_links(db: &impl ConnectionTrait, user_id: i32, input: &UserInput) -> AppResult<()> {
    user_role::Entity::delete_many().filter(user_role::Column::UserId.eq(user_id)).exec(db).await?;
    user_project::Entity::delete_many().filter(user_project::Column::UserId.eq(user_id)).exec(db).await?;
    let roles: BTreeSet<i32> = input.role_ids.iter().copied().collect();
    if !roles.is_empty() {
        user_role::Entity::insert_many(roles.into_iter().map(|r| user_role::ActiveModel { user_id: Set(user_id), role_id: Set(r) }))
            .exec(db)
            .await?;
    }
    let projects: BTreeSet<i32> = input.project_ids.iter().copied().collect();
    if !projects.is_empty() && !input.all_projects {
        user_project::Entity::insert_many(
            projects.into_iter().map(|p| user_project::ActiveModel { user_id: Set(user_id), project_id: Set(p) }),
        )
        .exec(db)
        .await?;
    }
    Ok(())
}

pub async fn create(db: &Db, caller: &Caller, input: &UserInput) -> AppResult<UserView> {
    caller.require("user.create")?;
    let mut errors = FieldErrors::new();
    let username = errors.required("username", "登录名", &input.username);
    let well_formed = (3..=64).contains(&username.len()) && username.chars().all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c));
    if !username.is_empty() && !well_formed {
        errors.add("username", "登录名为 3–64 位字母、数字或 . _ - @");
    }
    let (name, phone) = check_profile(input, &mut errors);
    if let Err(m) = check_password_policy(&input.password) {
        errors.add("password", m);
    }
    let txn = db.begin().await?;
    let unit = check_assignment(&*txn, caller, input, &mut errors).await?;
    if !username.is_empty() && user::Entity::find().filter(user::Column::Username.eq(&username)).count(&*txn).await? > 0 {
        errors.add("username", format!("登录名“{username}”已被使用"));
    }
    errors.into_result()?;
    let unit = unit.expect("validated");
    let now = Utc::now();
    let u = user::ActiveModel {
        username: Set(username),
        display_name: Set(name),
        phone: Set(phone),
        org_unit_id: Set(unit.id),
        company_id: Set(unit.company_id),
        password_hash: Set(hash_password(&input.password).await?),
        must_change_password: Set(true),
        enabled: Set(true),
        superuser: Set(input.superuser),
        all_projects: Set(input.all_projects),
        locked_until: Set(None),
        last_login_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    replace_links(&*txn, u.id, input).await?;
    let view = views(&*txn, vec![u]).await?.remove(0);
    audit::record(
        &*txn,
        caller,
        Change::new("user", view.id, AuditAction::Create)
            .company(view.company_id)
            .summary(format!("新增用户 {}（{}）", view.display_name, view.username))
            .after(&view),
    )
    .await?;
    txn.commit().await?;
    Ok(view)
}

pub async fn update(db: &Db, caller: &Caller, id: i32, version: i32, input: &UserInput) -> AppResult<UserView> {
    caller.require("user.edit")?;
    let mut errors = FieldErrors::new();
    let (name, phone) = check_profile(input, &mut errors);
    let txn = db.begin().await?;
    let model = get_model(&*txn, caller, id).await?;
    let before = views(&*txn, vec![model.clone()]).await?.remove(0);
    let unit = check_assignment(&*txn, caller, input, &mut errors).await?;
    if id == caller.user_id && !input.superuser && model.superuser {
        errors.add("superuser", "不能取消自己的超级管理员身份");
    }
    errors.into_result()?;
    let unit = unit.expect("validated");
    claim_version::<user::Entity>(&*txn, user::Column::Id, user::Column::Version, id, version).await?;
    let mut am = model.into_active_model();
    am.display_name = Set(name);
    am.phone = Set(phone);
    am.org_unit_id = Set(unit.id);
    am.company_id = Set(unit.company_id);
    am.superuser = Set(input.superuser);
    am.all_projects = Set(input.all_projects);
    am.version = Set(version + 1);
    am.updated_at = Set(Utc::now());
    let u = am.update(&*txn).await?;
    replace_links(&*txn, id, input).await?;
    let after = views(&*txn, vec![u]).await?.remove(0);
    audit::record(
        &*txn,
        caller,
        Change::new("user", id, AuditAction::Update)
            .company(after.company_id)
            .summary(format!("修改用户 {}", after.display_name))
            .before(&before)
            .after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// One of the administrative account actions on a user.
#[derive(Debug, Clone)]
pub enum AccountAction {
    Enable,
    Disable,
    Unlock,
    ResetPassword(String),
}

/// Enables, disables, unlocks a user or resets their password; the last two
/// clear the lockout, and disabling or resetting ends the user's sessions.
pub async fn account_action(db: &Db, caller: &Caller, id: i32, version: i32, action: AccountAction) -> AppResult<UserView> {
    let (permission, audit_action) = match &action {
        AccountAction::Enable => ("user.edit", AuditAction::Enable),
        AccountAction::Disable => ("user.edit", AuditAction::Disable),
        AccountAction::Unlock => ("user.edit", AuditAction::Unlock),
        AccountAction::ResetPassword(_) => ("user.reset_password", AuditAction::ResetPassword),
    };
    caller.require(permission)?;
    if let AccountAction::ResetPassword(p) = &action {
        check_password_policy(p).map_err(|m| AppError::field("password", m))?;
    }
    if matches!(action, AccountAction::Disable) && id == caller.user_id {
        return Err(AppError::Conflict("不能停用自己的账号".into()));
    }
    let txn = db.begin().await?;
    let model = get_model(&*txn, caller, id).await?;
    let before = views(&*txn, vec![model.clone()]).await?.remove(0);
    claim_version::<user::Entity>(&*txn, user::Column::Id, user::Column::Version, id, version).await?;
    let mut am = model.into_active_model();
    match &action {
        AccountAction::Enable => am.enabled = Set(true),
        AccountAction::Disable => am.enabled = Set(false),
        AccountAction::Unlock => am.locked_until = Set(None),
        AccountAction::ResetPassword(p) => {
            am.password_hash = Set(hash_password(p).await?);
            am.must_change_password = Set(true);
            am.locked_until = Set(None);
        }
    }
    am.version = Set(version + 1);
    am.updated_at = Set(Utc::now());
    let u = am.update(&*txn).await?;
    if matches!(action, AccountAction::Unlock | AccountAction::ResetPassword(_)) {
        // Marks the end of the failure run, so old failures do not re-lock.
        login_log::Entity::insert(login_log::ActiveModel {
            at: Set(Utc::now()),
            username: Set(u.username.clone()),
            user_id: Set(Some(u.id)),
            company_id: Set(u.company_id),
            ip: Set(caller.ip.clone()),
            success: Set(true),
            reason: Set(format!("管理员{}", audit_action.label())),
            ..Default::default()
        })
        .exec(&*txn)
        .await?;
    }
    if matches!(action, AccountAction::Disable | AccountAction::ResetPassword(_)) {
        end_sessions(&*txn, id, None).await?;
    }
    let after = views(&*txn, vec![u]).await?.remove(0);
    audit::record(
        &*txn,
        caller,
        Change::new("user", id, audit_action)
            .company(after.company_id)
            .summary(format!("{}：{}", audit_action.label(), after.display_name))
            .before(&before)
            .after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// The caller's own record, without the `user.view` permission.
pub async fn get_self(db: &Db, caller: &Caller) -> AppResult<UserView> {
    let u = user::Entity::find_by_id(caller.user_id).one(&db.conn).await?.ok_or(AppError::NotFound)?;
    Ok(views(&db.conn, vec![u]).await?.remove(0))
}
