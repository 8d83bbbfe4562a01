use chrono::Utc;
use domain::{audit::AuditAction, org::OrgUnitKind, FieldErrors};
use sea_orm::{
    sea_query::{Expr, Func, LikeExpr},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use crate::{
    audit::{self, Change},
    db::claim_version,
    entity::{org_unit, project},
    list::like_pattern,
    org::unit,
    AppError, AppResult, Caller, Db, Page, PageRequest,
};

pub type Project = project::Model;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ProjectInput {
    #[serde(default)]
    pub org_unit_id: Option<i32>,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
    /// Total area in square metres, up to two decimals.
    #[serde(default)]
    pub total_area: String,
    #[serde(default)]
    pub households: Option<i32>,
    #[serde(default)]
    pub developer: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ProjectFilter {
    #[serde(default)]
    pub org_unit_id: Option<i32>,
}

pub async fn list(db: &Db, caller: &Caller, req: &PageRequest, f: &ProjectFilter) -> AppResult<Page<Project>> {
    caller.require("property.view")?;
    let mut cond = caller.projects_condition(project::Column::Id);
    if let Some(k) = req.keyword() {
        let p = like_pattern(&k.to_lowercase());
        let like = |c: project::Column| Expr::expr(Func::lower(Expr::col(c))).like(LikeExpr::new(p.clone()).escape('\\'));
        cond = cond
            .add(Condition::any().add(like(project::Column::Name)).add(like(project::Column::Code)).add(like(project::Column::Address)));
    }
    if let Some(u) = f.org_unit_id {
        cond = cond.add(project::Column::OrgUnitId.eq(u));
    }
    let query = project::Entity::find().filter(cond);
    let total = query.clone().count(&db.conn).await?;
    let (key, desc) = req.sort_by(&["code", "name", "id"], "code");
    let col = match key {
        "name" => project::Column::Name,
        "id" => project::Column::Id,
        _ => project::Column::Code,
    };
    let query = if desc { query.order_by_desc(col) } else { query.order_by_asc(col) };
    let items = crate::list::page_rows(&db.conn, query, req).await?;
    Ok(Page::new(items, total))
}

/// Every project in the caller's scope (for pickers).
pub async fn in_scope(db: &Db, caller: &Caller) -> AppResult<Vec<Project>> {
    Ok(project::Entity::find()
        .filter(caller.projects_condition(project::Column::Id))
        .order_by_asc(project::Column::Code)
        .all(&db.conn)
        .await?)
}

/// How many projects the caller may see (the workbench's count), without reading them.
pub async fn count_in_scope(db: &Db, caller: &Caller) -> AppResult<u64> {
    Ok(project::Entity::find().filter(caller.projects_condition(project::Column::Id)).count(&db.conn).await?)
}

pub async fn get(db: &impl ConnectionTrait, caller: &Caller, id: i32) -> AppResult<Project> {
    caller.require("property.view")?;
    project::Entity::find_by_id(id).filter(caller.projects_condition(project::Column::Id)).one(db).await?.ok_or(AppError::NotFound)
}

/// The validated fields of a project form.
struct Checked {
    office: org_unit::Model,
    code: String,
    name: String,
    address: String,
    total_area: i64,
    households: i32,
    developer: String,
}

async fn check(db: &impl ConnectionTrait, caller: &Caller, input: &ProjectInput, except: Option<i32>) -> AppResult<Checked> {
    let mut errors = FieldErrors::new();
    let total_area = match input.total_area.trim() {
        "" => 0,
        t => domain::property::Area::parse(t).map(|a| a.0).unwrap_or_else(|m| {
            errors.add("total_area", m);
            0
        }),
    };
    let households = input.households.unwrap_or(0);
    if !(0..=1_000_000).contains(&households) {
        errors.add("households", "户数应在 0 到 1000000 之间");
    }
    let developer = input.developer.trim().to_string();
    errors.max_chars("developer", "开发商", &developer, 100);
    let name = errors.required("name", "项目名称", &input.name);
    errors.max_chars("name", "项目名称", &name, 100);
    let code = errors.required("code", "项目编码", &input.code);
    errors.max_chars("code", "项目编码", &code, 32);
    let address = input.address.trim().to_string();
    errors.max_chars("address", "地址", &address, 255);
    let office = match input.org_unit_id {
        Some(id) => unit::get(db, caller, id).await.ok().filter(|u| u.kind == OrgUnitKind::Office.code()),
        None => None,
    };
    if office.is_none() {
        errors.add("org_unit_id", "请选择所属管理处");
    }
    if let (Some(o), false) = (&office, code.is_empty()) {
        let mut q = project::Entity::find()
            .filter(project::Column::CompanyId.eq(o.company_id.unwrap_or(0)))
            .filter(project::Column::Code.eq(&code));
        if let Some(id) = except {
            q = q.filter(project::Column::Id.ne(id));
        }
        if q.count(db).await? > 0 {
            errors.add("code", format!("本公司已存在项目编码 {code}"));
        }
    }
    errors.into_result()?;
    Ok(Checked { office: office.expect("validated"), code, name, address, total_area, households, developer })
}

/// Creates a project under a management office. A creator limited to an
/// explicit project list sees it only once it is added to their list.
pub async fn create(db: &Db, caller: &Caller, input: &ProjectInput) -> AppResult<Project> {
    caller.require("property.create")?;
    let txn = db.begin().await?;
    let c = check(&*txn, caller, input, None).await?;
    let now = Utc::now();
    let p = project::ActiveModel {
        org_unit_id: Set(c.office.id),
        company_id: Set(c.office.company_id.unwrap_or_default()),
        code: Set(c.code),
        name: Set(c.name),
        address: Set(c.address),
        total_area: Set(c.total_area),
        households: Set(c.households),
        developer: Set(c.developer),
        enabled: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    audit::record(
        &*txn,
        caller,
        Change::new("project", p.id, AuditAction::Create).company(Some(p.company_id)).summary(format!("新增项目“{}”", p.name)).after(&p),
    )
    .await?;
    txn.commit().await?;
    Ok(p)
}

pub async fn update(db: &Db, caller: &Caller, id: i32, version: i32, input: &ProjectInput) -> AppResult<Project> {
    caller.require("property.edit")?;
    let txn = db.begin().await?;
    let before = get(&*txn, caller, id).await?;
    let c = check(&*txn, caller, input, Some(id)).await?;
    if c.office.company_id != Some(before.company_id) {
        return Err(AppError::field("org_unit_id", "项目只能调整到本公司的管理处"));
    }
    claim_version::<project::Entity>(&*txn, project::Column::Id, project::Column::Version, id, version).await?;
    let mut am = before.clone().into_active_model();
    am.org_unit_id = Set(c.office.id);
    am.code = Set(c.code);
    am.name = Set(c.name);
    am.address = Set(c.address);
    am.total_area = Set(c.total_area);
    am.households = Set(c.households);
    am.developer = Set(c.developer);
    am.version = Set(version + 1);
    am.updated_at = Set(Utc::now());
    let after = am.update(&*txn).await?;
    audit::record(
        &*txn,
        caller,
        Change::new("project", id, AuditAction::Update)
            .company(Some(after.company_id))
            .summary(format!("修改项目“{}”", after.name))
            .before(&before)
            .after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// The management offices of the projects in the caller's scope, by id —
/// for showing and filtering projects without the org-tree permission.
pub async fn offices_in_scope(db: &Db, caller: &Caller) -> AppResult<Vec<(i32, String)>> {
    let office_ids: Vec<i32> = project::Entity::find()
        .select_only()
        .column(project::Column::OrgUnitId)
        .distinct()
        .filter(caller.projects_condition(project::Column::Id))
        .into_tuple()
        .all(&db.conn)
        .await?;
    Ok(org_unit::Entity::find()
        .filter(org_unit::Column::Id.is_in(office_ids))
        .order_by_asc(org_unit::Column::Path)
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}
