//! The org tree (SYS-1): group → region → company → management office.

use chrono::Utc;
use domain::{audit::AuditAction, org::OrgUnitKind, FieldErrors};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};

use crate::{
    audit::{self, Change},
    db::claim_version,
    entity::{announcement_target, dict_item, holiday, number_counter, numbering_rule, org_unit, project, role, user, work_calendar},
    settings, AppError, AppResult, Caller, Db,
};

pub type OrgUnit = org_unit::Model;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct OrgUnitInput {
    #[serde(default)]
    pub parent_id: Option<i32>,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub sort_order: Option<i32>,
}

/// A unit with its depth in the tree, for indented display.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TreeNode {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub unit: OrgUnit,
    pub depth: usize,
    pub kind_label: &'static str,
}

/// Every unit the caller sees, in tree order.
pub async fn tree(db: &Db, caller: &Caller) -> AppResult<Vec<TreeNode>> {
    caller.require("org.view")?;
    let units = org_unit::Entity::find()
        .filter(caller.units_condition(org_unit::Column::Id))
        .order_by_asc(org_unit::Column::Path)
        .all(&db.conn)
        .await?;
    Ok(order_as_tree(units))
}

/// Orders units depth-first with siblings by sort order then name (paths
/// alone would sort ids as text).
fn order_as_tree(units: Vec<OrgUnit>) -> Vec<TreeNode> {
    let ids: std::collections::BTreeSet<i32> = units.iter().map(|u| u.id).collect();
    let mut children: std::collections::BTreeMap<Option<i32>, Vec<&OrgUnit>> = Default::default();
    for u in &units {
        let parent = u.parent_id.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(u);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.sort_order.cmp(&b.sort_order).then(a.name.cmp(&b.name)));
    }
    let mut out = Vec::with_capacity(units.len());
    fn walk(parent: Option<i32>, depth: usize, children: &std::collections::BTreeMap<Option<i32>, Vec<&OrgUnit>>, out: &mut Vec<TreeNode>) {
        for u in children.get(&parent).into_iter().flatten() {
            out.push(TreeNode { unit: (*u).clone(), depth, kind_label: OrgUnitKind::from_code(&u.kind).map_or("", OrgUnitKind::label) });
            walk(Some(u.id), depth + 1, children, out);
        }
    }
    walk(None, 0, &children, &mut out);
    out
}

/// A unit inside the caller's scope, or NotFound.
pub async fn get(db: &impl ConnectionTrait, caller: &Caller, id: i32) -> AppResult<OrgUnit> {
    org_unit::Entity::find_by_id(id).filter(caller.units_condition(org_unit::Column::Id)).one(db).await?.ok_or(AppError::NotFound)
}

fn kind_of(u: &OrgUnit) -> OrgUnitKind {
    OrgUnitKind::from_code(&u.kind).unwrap_or(OrgUnitKind::Office)
}

async fn check_sibling_name(
    db: &impl ConnectionTrait,
    parent_id: Option<i32>,
    name: &str,
    except: Option<i32>,
    errors: &mut FieldErrors,
) -> AppResult<()> {
    let mut q = org_unit::Entity::find().filter(org_unit::Column::Name.eq(name));
    q = match parent_id {
        Some(p) => q.filter(org_unit::Column::ParentId.eq(p)),
        None => q.filter(org_unit::Column::ParentId.is_null()),
    };
    if let Some(id) = except {
        q = q.filter(org_unit::Column::Id.ne(id));
    }
    if q.count(db).await? > 0 {
        errors.add("name", format!("同一上级下已存在名为“{name}”的组织"));
    }
    Ok(())
}

fn check_text(input: &OrgUnitInput, errors: &mut FieldErrors) -> (String, String) {
    let name = errors.required("name", "名称", &input.name);
    errors.max_chars("name", "名称", &name, 100);
    let code = input.code.trim().to_string();
    errors.max_chars("code", "编码", &code, 32);
    (name, code)
}

/// Creates a unit. A new company gets its own dictionaries, numbering rules
/// and calendar, seeded with the Chinese defaults.
pub async fn create(db: &Db, caller: &Caller, input: &OrgUnitInput) -> AppResult<OrgUnit> {
    caller.require("org.create")?;
    let mut errors = FieldErrors::new();
    let (name, code) = check_text(input, &mut errors);
    let kind = OrgUnitKind::from_code(&input.kind);
    if kind.is_none() {
        errors.add("kind", "请选择组织类型");
    }
    let txn = db.begin().await?;
    let parent = match input.parent_id {
        Some(pid) => Some(get(&*txn, caller, pid).await.map_err(|_| AppError::field("parent_id", "上级组织不存在"))?),
        None => None,
    };
    if let Some(kind) = kind {
        if let Err(m) = kind.may_have_parent(parent.as_ref().map(kind_of)) {
            errors.add("parent_id", m);
        }
        if kind == OrgUnitKind::Group && !caller.is_superuser() {
            errors.add("kind", "只有超级管理员可以新建集团");
        }
    }
    if !name.is_empty() {
        check_sibling_name(&*txn, input.parent_id, &name, None, &mut errors).await?;
    }
    errors.into_result()?;
    let kind = kind.expect("validated");
    let now = Utc::now();
    let unit = org_unit::ActiveModel {
        parent_id: Set(input.parent_id),
        kind: Set(kind.code().into()),
        name: Set(name),
        code: Set(code),
        path: Set(String::new()),
        company_id: Set(parent.as_ref().and_then(|p| p.company_id)),
        sort_order: Set(input.sort_order.unwrap_or(0)),
        enabled: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    let mut am = unit.clone().into_active_model();
    am.path = Set(format!("{}{}/", parent.as_ref().map_or("/", |p| p.path.as_str()), unit.id));
    if kind == OrgUnitKind::Company {
        am.company_id = Set(Some(unit.id));
    }
    let unit = am.update(&*txn).await?;
    if kind == OrgUnitKind::Company {
        settings::seed_company(&*txn, unit.id).await?;
    }
    audit::record(
        &*txn,
        caller,
        Change::new("org_unit", unit.id, AuditAction::Create)
            .company(unit.company_id)
            .summary(format!("新增{}“{}”", kind.label(), unit.name))
            .after(&unit),
    )
    .await?;
    txn.commit().await?;
    Ok(unit)
}

/// Renames a unit or changes its code and order.
pub async fn update(db: &Db, caller: &Caller, id: i32, version: i32, input: &OrgUnitInput) -> AppResult<OrgUnit> {
    caller.require("org.edit")?;
    let mut errors = FieldErrors::new();
    let (name, code) = check_text(input, &mut errors);
    let txn = db.begin().await?;
    let before = get(&*txn, caller, id).await?;
    if !name.is_empty() {
        check_sibling_name(&*txn, before.parent_id, &name, Some(id), &mut errors).await?;
    }
    errors.into_result()?;
    claim_version::<org_unit::Entity>(&*txn, org_unit::Column::Id, org_unit::Column::Version, id, version).await?;
    let mut am = before.clone().into_active_model();
    am.name = Set(name);
    am.code = Set(code);
    am.sort_order = Set(input.sort_order.unwrap_or(before.sort_order));
    am.version = Set(version + 1);
    am.updated_at = Set(Utc::now());
    let after = am.update(&*txn).await?;
    audit::record(
        &*txn,
        caller,
        Change::new("org_unit", id, AuditAction::Update)
            .company(after.company_id)
            .summary(format!("修改组织“{}”", after.name))
            .before(&before)
            .after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Moves a unit (with its subtree) under another parent.
pub async fn move_to(db: &Db, caller: &Caller, id: i32, version: i32, new_parent_id: i32) -> AppResult<OrgUnit> {
    caller.require("org.edit")?;
    let txn = db.begin().await?;
    let unit = get(&*txn, caller, id).await?;
    let parent = get(&*txn, caller, new_parent_id).await.map_err(|_| AppError::field("parent_id", "目标上级不存在"))?;
    if parent.path.starts_with(&unit.path) {
        return Err(AppError::field("parent_id", "不能移动到自身或下级组织之下"));
    }
    kind_of(&unit).may_have_parent(Some(kind_of(&parent))).map_err(|m| AppError::field("parent_id", m))?;
    let mut errors = FieldErrors::new();
    check_sibling_name(&*txn, Some(parent.id), &unit.name, Some(id), &mut errors).await?;
    errors.into_result()?;
    claim_version::<org_unit::Entity>(&*txn, org_unit::Column::Id, org_unit::Column::Version, id, version).await?;
    let new_path = format!("{}{}/", parent.path, unit.id);
    let subtree = org_unit::Entity::find().filter(org_unit::Column::Path.starts_with(&unit.path)).all(&*txn).await?;
    // An office moved to another company takes its projects and staff along.
    let new_company = if kind_of(&unit) == OrgUnitKind::Company { Some(unit.id) } else { parent.company_id };
    let company_changes = new_company != unit.company_id;
    let subtree_ids: Vec<i32> = subtree.iter().map(|u| u.id).collect();
    for u in subtree {
        let path = format!("{new_path}{}", &u.path[unit.path.len()..]);
        let mut am = u.into_active_model();
        am.path = Set(path);
        if company_changes {
            am.company_id = Set(new_company);
        }
        am.update(&*txn).await?;
    }
    if company_changes {
        if let Some(c) = new_company {
            project::Entity::update_many()
                .col_expr(project::Column::CompanyId, Expr::value(c))
                .filter(project::Column::OrgUnitId.is_in(subtree_ids.clone()))
                .exec(&*txn)
                .await?;
        }
        user::Entity::update_many()
            .col_expr(user::Column::CompanyId, Expr::value(new_company))
            .filter(user::Column::OrgUnitId.is_in(subtree_ids))
            .exec(&*txn)
            .await?;
    }
    let mut am = get(&*txn, caller, id).await?.into_active_model();
    am.parent_id = Set(Some(parent.id));
    am.version = Set(version + 1);
    am.updated_at = Set(Utc::now());
    let after = am.update(&*txn).await?;
    audit::record(
        &*txn,
        caller,
        Change::new("org_unit", id, AuditAction::Move)
            .company(after.company_id)
            .summary(format!("将“{}”移动到“{}”下", after.name, parent.name))
            .before(&unit)
            .after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

pub async fn set_enabled(db: &Db, caller: &Caller, id: i32, version: i32, enabled: bool) -> AppResult<OrgUnit> {
    caller.require("org.edit")?;
    let txn = db.begin().await?;
    let before = get(&*txn, caller, id).await?;
    claim_version::<org_unit::Entity>(&*txn, org_unit::Column::Id, org_unit::Column::Version, id, version).await?;
    let mut am = before.clone().into_active_model();
    am.enabled = Set(enabled);
    am.version = Set(version + 1);
    am.updated_at = Set(Utc::now());
    let after = am.update(&*txn).await?;
    let action = if enabled { AuditAction::Enable } else { AuditAction::Disable };
    audit::record(
        &*txn,
        caller,
        Change::new("org_unit", id, action)
            .company(after.company_id)
            .summary(format!("{}组织“{}”", action.label(), after.name))
            .before(&before)
            .after(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Deletes a leaf that nothing refers to; a company's own settings go with it.
pub async fn delete(db: &Db, caller: &Caller, id: i32, version: i32) -> AppResult<()> {
    caller.require("org.delete")?;
    let txn = db.begin().await?;
    let unit = get(&*txn, caller, id).await?;
    if unit.version != version {
        return Err(AppError::stale());
    }
    let refs = [
        ("下级组织", org_unit::Entity::find().filter(org_unit::Column::ParentId.eq(id)).count(&*txn).await?),
        ("项目", project::Entity::find().filter(project::Column::OrgUnitId.eq(id)).count(&*txn).await?),
        ("用户", user::Entity::find().filter(user::Column::OrgUnitId.eq(id)).count(&*txn).await?),
        ("角色", role::Entity::find().filter(role::Column::OrgUnitId.eq(id)).count(&*txn).await?),
        ("公告", announcement_target::Entity::find().filter(announcement_target::Column::OrgUnitId.eq(id)).count(&*txn).await?),
    ];
    let used: Vec<String> = refs.iter().filter(|(_, n)| *n > 0).map(|(what, n)| format!("{n} 个{what}")).collect();
    if !used.is_empty() {
        return Err(AppError::Conflict(format!("“{}”仍被引用（{}），不能删除，可改为禁用", unit.name, used.join("、"))));
    }
    let rule_ids: Vec<i32> = numbering_rule::Entity::find()
        .filter(numbering_rule::Column::CompanyId.eq(id))
        .all(&*txn)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    number_counter::Entity::delete_many().filter(number_counter::Column::RuleId.is_in(rule_ids)).exec(&*txn).await?;
    numbering_rule::Entity::delete_many().filter(numbering_rule::Column::CompanyId.eq(id)).exec(&*txn).await?;
    dict_item::Entity::delete_many().filter(dict_item::Column::CompanyId.eq(id)).exec(&*txn).await?;
    holiday::Entity::delete_many().filter(holiday::Column::CompanyId.eq(id)).exec(&*txn).await?;
    work_calendar::Entity::delete_many().filter(work_calendar::Column::CompanyId.eq(id)).exec(&*txn).await?;
    org_unit::Entity::delete_by_id(id).exec(&*txn).await?;
    audit::record(
        &*txn,
        caller,
        Change::new("org_unit", id, AuditAction::Delete)
            .company(unit.company_id.filter(|c| *c != id))
            .summary(format!("删除组织“{}”", unit.name))
            .before(&unit),
    )
    .await?;
    txn.commit().await
}

/// The display name of a unit (for the page frame); empty when unknown.
pub async fn name_of(db: &Db, id: i32) -> AppResult<String> {
    Ok(org_unit::Entity::find_by_id(id).one(&db.conn).await?.map(|u| u.name).unwrap_or_default())
}
