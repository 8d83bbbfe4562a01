use std::{collections::BTreeSet, sync::Arc};

use domain::org::{OrgUnitKind, Scope};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::{
    cache::Versions,
    entity::{org_unit, project, role, role_permission, user, user_project, user_role},
    AppError, AppResult, Caller, Db,
};

/// The subtree a user sees: their company's, or their own unit's when it is
/// above company level (group or region staff).
async fn visible_units(db: &Db, u: &user::Model) -> AppResult<Vec<org_unit::Model>> {
    let base_id = u.company_id.unwrap_or(u.org_unit_id);
    let base = org_unit::Entity::find_by_id(base_id).one(&db.conn).await?.ok_or(AppError::Unauthorized)?;
    Ok(org_unit::Entity::find().filter(org_unit::Column::Path.starts_with(&base.path)).all(&db.conn).await?)
}

async fn permissions_of(db: &Db, user_id: i32) -> AppResult<BTreeSet<String>> {
    let role_ids: Vec<i32> = user_role::Entity::find()
        .select_only()
        .column(user_role::Column::RoleId)
        .filter(user_role::Column::UserId.eq(user_id))
        .into_tuple()
        .all(&db.conn)
        .await?;
    let enabled: Vec<i32> = role::Entity::find()
        .select_only()
        .column(role::Column::Id)
        .filter(role::Column::Id.is_in(role_ids))
        .filter(role::Column::Enabled.eq(true))
        .into_tuple()
        .all(&db.conn)
        .await?;
    let perms: Vec<String> = role_permission::Entity::find()
        .select_only()
        .column(role_permission::Column::Permission)
        .filter(role_permission::Column::RoleId.is_in(enabled))
        .into_tuple()
        .all(&db.conn)
        .await?;
    Ok(perms.into_iter().collect())
}

/// The projects a user may touch, each with its management office.
async fn projects_of(db: &Db, u: &user::Model, units: &BTreeSet<i32>) -> AppResult<Vec<(i32, i32)>> {
    let pairs: Vec<(i32, i32)> = if u.all_projects || u.superuser {
        project::Entity::find()
            .select_only()
            .column(project::Column::Id)
            .column(project::Column::OrgUnitId)
            .filter(project::Column::OrgUnitId.is_in(units.iter().copied()))
            .into_tuple()
            .all(&db.conn)
            .await?
    } else {
        let explicit: Vec<i32> = user_project::Entity::find()
            .select_only()
            .column(user_project::Column::ProjectId)
            .filter(user_project::Column::UserId.eq(u.id))
            .into_tuple()
            .all(&db.conn)
            .await?;
        project::Entity::find()
            .select_only()
            .column(project::Column::Id)
            .column(project::Column::OrgUnitId)
            .filter(project::Column::Id.is_in(explicit))
            .filter(project::Column::OrgUnitId.is_in(units.iter().copied()))
            .into_tuple()
            .all(&db.conn)
            .await?
    };
    Ok(pairs)
}

/// What a user may see and do, derived from the org tree, the projects and
/// their roles; kept in `Db::caches` until any of those changes.
pub struct Access {
    scope: Arc<Scope>,
    permissions: Arc<BTreeSet<String>>,
}

async fn access_of(db: &Db, u: &user::Model) -> AppResult<Access> {
    let units = visible_units(db, u).await?;
    let unit_ids: BTreeSet<i32> = units.iter().map(|x| x.id).collect();
    let companies = units.iter().filter(|x| x.kind == OrgUnitKind::Company.code()).map(|x| x.id).collect();
    let pairs = projects_of(db, u, &unit_ids).await?;
    let projects = pairs.iter().map(|(p, _)| *p).collect();
    let offices = pairs.iter().map(|(_, o)| *o).collect();
    let permissions = permissions_of(db, u.id).await?;
    Ok(Access {
        scope: Arc::new(Scope { superuser: u.superuser, units: unit_ids, companies, projects, offices }),
        permissions: Arc::new(permissions),
    })
}

/// Loads the caller for an authenticated, enabled user. The user row is the
/// caller's own (read per request, so a disabled user or a forced password
/// change takes effect at once); scope and permissions come from the cache.
pub async fn load_caller(db: &Db, u: user::Model, ip: &str, csrf_token: String) -> AppResult<Caller> {
    caller_as_of(db, u, crate::cache::versions(&db.conn).await?, ip, csrf_token).await
}

/// [`load_caller`] with the configuration counters already read (with the
/// user, by the request's authentication).
pub(crate) async fn caller_as_of(db: &Db, u: user::Model, versions: Versions, ip: &str, csrf_token: String) -> AppResult<Caller> {
    let access = match db.caches.access.get(&u.id, versions) {
        Some(a) => a,
        None => db.caches.access.put(u.id, versions, access_of(db, &u).await?),
    };
    Ok(Caller {
        user_id: u.id,
        username: u.username,
        display_name: u.display_name,
        org_unit_id: u.org_unit_id,
        company_id: u.company_id,
        must_change_password: u.must_change_password,
        permissions: access.permissions.clone(),
        scope: access.scope.clone(),
        ip: ip.to_string(),
        csrf_token,
        config: Some(versions),
    })
}
