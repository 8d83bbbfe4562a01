//! First start: the bootstrap administrator of a production database, and
//! the demo company seeded by `serve --demo`.

pub mod scale;

use chrono::Utc;
use domain::org::OrgUnitKind;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::{
    entity::{org_unit, user},
    messaging::announcement::{self, AnnouncementInput},
    org::{
        self,
        auth::{hash_password, one_time_password},
        role::{self, RoleInput},
        unit::{self, OrgUnitInput},
        user::{self as users, UserInput},
    },
    property::project::{self, ProjectInput},
    synth::Rng,
    AppResult, Caller, Db,
};

/// The password of every demo login (listed in README.md).
pub const DEMO_PASSWORD: &str = "demo1234";

async fn is_empty(db: &Db) -> AppResult<bool> {
    Ok(user::Entity::find().count(&db.conn).await? == 0)
}

/// Creates the root group unit and the superuser `admin`.
pub(crate) async fn create_root(db: &Db, group_name: &str, password: &str, must_change: bool) -> AppResult<user::Model> {
    let txn = db.begin().await?;
    let now = Utc::now();
    let group = org_unit::ActiveModel {
        parent_id: Set(None),
        kind: Set(OrgUnitKind::Group.code().into()),
        name: Set(group_name.into()),
        code: Set(String::new()),
        path: Set(String::new()),
        company_id: Set(None),
        sort_order: Set(0),
        enabled: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    let mut am: org_unit::ActiveModel = group.clone().into();
    am.path = Set(format!("/{}/", group.id));
    am.update(&*txn).await?;
    let admin = user::ActiveModel {
        username: Set("admin".into()),
        display_name: Set("系统管理员".into()),
        phone: Set(String::new()),
        org_unit_id: Set(group.id),
        company_id: Set(None),
        password_hash: Set(hash_password(password).await?),
        must_change_password: Set(must_change),
        enabled: Set(true),
        superuser: Set(true),
        all_projects: Set(true),
        locked_until: Set(None),
        last_login_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(admin)
}

/// On an empty production database: creates the administrator and returns
/// the one-time password to print once. `None` when users already exist.
pub async fn bootstrap(db: &Db) -> AppResult<Option<String>> {
    if !is_empty(db).await? {
        return Ok(None);
    }
    let password = one_time_password();
    create_root(db, "集团", &password, true).await?;
    Ok(Some(password))
}

pub(crate) fn unit_input(parent: i32, kind: OrgUnitKind, name: &str, code: &str) -> OrgUnitInput {
    OrgUnitInput { parent_id: Some(parent), kind: kind.code().into(), name: name.into(), code: code.into(), sort_order: None }
}

pub(crate) fn perms(modules: &[&str], extra: &[&str]) -> Vec<String> {
    domain::org::PERMISSIONS
        .iter()
        .filter(|p| modules.contains(&p.module))
        .map(|p| p.code.to_string())
        .chain(extra.iter().map(|s| s.to_string()))
        .collect()
}

/// What a front-desk or call-center agent (客服专员) may do.
pub(crate) fn agent_permissions() -> Vec<String> {
    perms(
        &[],
        &[
            "property.view",
            "customer.view",
            "customer.create",
            "customer.edit",
            "customer.export",
            "occupancy.view",
            "occupancy.create",
            "workorder.view",
            "workorder.create",
            "workorder.dispatch",
            "workorder.edit",
            "workorder.export",
            "complaint.view",
            "complaint.create",
            "visit.view",
            "visit.create",
            "visit.export",
            "report.view",
            "announcement.view",
            "cti.view",
            "cti.handle",
            "rename.create",
        ],
    )
}

/// What a maintenance engineer (维修工程师) may do: handle the orders given.
pub(crate) fn engineer_permissions() -> Vec<String> {
    perms(&[], &["property.view", "customer.view", "workorder.handle", "report.view"])
}

/// Creates a demo or generated login that skips the first-login password
/// change, through the same use case as the user pages.
pub(crate) async fn create_login(db: &Db, caller: &Caller, input: &UserInput) -> AppResult<i32> {
    let u = users::create(db, caller, input).await?;
    let model = user::Entity::find_by_id(u.id).one(&db.conn).await?.ok_or(crate::AppError::NotFound)?;
    let mut am: user::ActiveModel = model.into();
    am.must_change_password = Set(false);
    am.update(&db.conn).await?;
    Ok(u.id)
}

/// Seeds the demo company once: a group with two companies, three offices,
/// four projects, roles and one login per role. Returns whether it seeded.
pub async fn seed_demo(db: &Db) -> AppResult<bool> {
    if !is_empty(db).await? {
        return Ok(false);
    }
    let admin = create_root(db, "安居物业集团", DEMO_PASSWORD, false).await?;
    let caller: Caller = org::load_caller(db, admin, "127.0.0.1", String::new()).await?;
    let group = caller.org_unit_id;
    let region = unit::create(db, &caller, &unit_input(group, OrgUnitKind::Region, "华南区域", "HN")).await?;
    let sz = unit::create(db, &caller, &unit_input(region.id, OrgUnitKind::Company, "深圳安居物业服务有限公司", "SZ")).await?;
    let gz = unit::create(db, &caller, &unit_input(region.id, OrgUnitKind::Company, "广州安居物业服务有限公司", "GZ")).await?;
    let junlin = unit::create(db, &caller, &unit_input(sz.id, OrgUnitKind::Office, "君林天下管理处", "SZ01")).await?;
    let cuihu = unit::create(db, &caller, &unit_input(sz.id, OrgUnitKind::Office, "翠湖山庄管理处", "SZ02")).await?;
    let yunshan = unit::create(db, &caller, &unit_input(gz.id, OrgUnitKind::Office, "云山雅苑管理处", "GZ01")).await?;
    let mut projects = Vec::new();
    for (office, code, name, address) in [
        (junlin.id, "JLTX", "君林天下", "深圳市龙岗区布吉街道君林路 1 号"),
        (junlin.id, "JLHT", "君林华庭", "深圳市龙岗区布吉街道君林路 9 号"),
        (cuihu.id, "CHSZ", "翠湖山庄", "深圳市南山区西丽街道翠湖路 18 号"),
        (yunshan.id, "YSYY", "云山雅苑", "广州市白云区云城东路 66 号"),
    ] {
        let input = ProjectInput {
            org_unit_id: Some(office),
            code: code.into(),
            name: name.into(),
            address: address.into(),
            total_area: "86000".into(),
            households: Some(640),
            developer: "安居置业集团".into(),
        };
        projects.push(project::create(db, &caller, &input).await?);
    }
    let everyday = ["property", "customer", "occupancy", "workorder", "complaint", "visit", "report", "announcement", "cti"];
    let role = |unit: i32, name: &str, description: &str, permissions: Vec<String>| RoleInput {
        org_unit_id: Some(unit),
        name: name.into(),
        description: description.into(),
        permissions,
    };
    let manager_role = role::create(
        db,
        &caller,
        &role(
            sz.id,
            "管理处主任",
            "管理处全面工作，含用户与参数维护",
            perms(
                &everyday,
                &[
                    "org.view",
                    "user.view",
                    "user.create",
                    "user.edit",
                    "user.reset_password",
                    "role.view",
                    "audit.view",
                    "settings.view",
                    "settings.configure",
                    "billing.view",
                    "messaging.view",
                    "api_token.manage",
                    "rename.create",
                    "rename.approve",
                ],
            ),
        ),
    )
    .await?;
    let agent_perms = agent_permissions();
    let agent_role = role::create(db, &caller, &role(sz.id, "客服专员", "前台与呼叫中心客服", agent_perms.clone())).await?;
    let engineer_role = role::create(db, &caller, &role(sz.id, "维修工程师", "接单维修", engineer_permissions())).await?;
    let cashier_role = role::create(
        db,
        &caller,
        &role(sz.id, "收费员", "收费与开票", perms(&["billing"], &["property.view", "customer.view", "report.view"])),
    )
    .await?;
    let gz_agent_role = role::create(db, &caller, &role(gz.id, "客服专员", "前台与呼叫中心客服", agent_perms)).await?;
    let jl_projects = vec![projects[0].id, projects[1].id];
    for (username, name, phone, unit, roles, all, project_ids) in [
        ("manager", "王建国", "13800138001", junlin.id, vec![manager_role.id], true, vec![]),
        ("agent", "李静", "13800138002", junlin.id, vec![agent_role.id], false, jl_projects.clone()),
        ("engineer", "张伟", "13800138003", junlin.id, vec![engineer_role.id], false, jl_projects.clone()),
        ("cashier", "陈芳", "13800138004", junlin.id, vec![cashier_role.id], false, jl_projects.clone()),
        ("gz_agent", "周敏", "13900139005", yunshan.id, vec![gz_agent_role.id], true, vec![]),
    ] {
        let input = UserInput {
            username: username.into(),
            display_name: name.into(),
            phone: phone.into(),
            org_unit_id: Some(unit),
            password: DEMO_PASSWORD.into(),
            role_ids: roles,
            all_projects: all,
            project_ids,
            superuser: false,
        };
        create_login(db, &caller, &input).await?;
    }
    let notice = announcement::create(
        db,
        &caller,
        &AnnouncementInput {
            title: "管家系统正式上线".into(),
            body: "各管理处：新客服系统今日起正式启用，请各岗位使用本人账号登录，首次登录请修改密码。操作中遇到问题请联系集团信息部。"
                .into(),
            publish_from: Some(Utc::now() - chrono::Duration::hours(1)),
            publish_to: None,
            target_unit_ids: vec![group],
        },
    )
    .await?;
    announcement::set_published(db, &caller, notice.id, notice.version, true).await?;
    Ok(true)
}

/// Fills the demo projects with buildings of `floors` floors, rooms and
/// their owners and tenants, through the same use cases the pages use.
/// Returns the numbers of rooms and customers created.
pub async fn populate(db: &Db, floors: i32) -> AppResult<(u64, u64)> {
    use crate::{
        customer::record::{self, CustomerInput},
        occupancy::{self, HandoverInput, MoveInInput},
        property::{
            building::{self as buildings, BuildingInput},
            room::{self as rooms, BatchInput, RoomFilter, RoomInput},
        },
        PageRequest,
    };
    let admin = user::Entity::find().filter(user::Column::Username.eq("admin")).one(&db.conn).await?.ok_or(crate::AppError::NotFound)?;
    let caller = org::load_caller(db, admin, "127.0.0.1", String::new()).await?;
    let mut rng = Rng(20261122);
    let (mut room_count, mut customer_count) = (0u64, 0u64);
    let today = crate::clock::today();
    for p in project::in_scope(db, &caller).await? {
        for (b, name) in ["1", "2", "3", "5"].iter().enumerate().map(|(i, n)| (i, format!("{n}栋"))) {
            let code = format!("{}{}", ["A", "B", "C", "D"][b], b + 1);
            let building = buildings::create(
                db,
                &caller,
                &BuildingInput { project_id: Some(p.id), code: code.clone(), name, floors_above: Some(floors), floors_below: Some(2) },
            )
            .await?;
            let batch = BatchInput {
                building_id: Some(building.id),
                units: "1,2".into(),
                floor_from: Some(1),
                floor_to: Some(floors),
                rooms_per_floor: Some(4),
                skip_floors: "4,13,14".into(),
                pattern: "{project}-{building}-{unit}-{floor:02}{no:02}".into(),
                defaults: RoomInput {
                    building_area: "89.50".into(),
                    inner_area: "72.30".into(),
                    room_type: "residential".into(),
                    status: "unsold".into(),
                    delivery_date: "2024-06-30".into(),
                    ..Default::default()
                },
            };
            room_count += rooms::commit_batch(db, &caller, &batch).await?;
        }
        // Three rooms in four are handed over; some are let, some have a resident.
        let filter = RoomFilter { project_id: Some(p.id), ..Default::default() };
        let all = rooms::list(db, &caller, &PageRequest { per_page: Some(100), ..Default::default() }.for_export(), &filter).await?;
        for (i, r) in all.items.iter().enumerate() {
            if i % 4 == 3 {
                continue;
            }
            let owner = record::create(
                db,
                &caller,
                &CustomerInput {
                    org_unit_id: Some(p.org_unit_id),
                    code: r.room.code.clone(),
                    name: rng.name(),
                    kind: "person".into(),
                    id_type: "mainland_id".into(),
                    id_number: rng.id_number("440305"),
                    phones: vec![rng.phone()],
                    tags: if i % 37 == 0 { vec!["VIP".into()] } else { vec![] },
                    ..Default::default()
                },
            )
            .await?;
            customer_count += 1;
            let handed = today - chrono::Duration::days(30 + rng.below(700) as i64);
            occupancy::handover(
                db,
                &caller,
                &HandoverInput {
                    room_id: Some(r.room.id),
                    customer_id: Some(owner.customer.id),
                    date: handed.to_string(),
                    move_out_others: true,
                    ..Default::default()
                },
            )
            .await?;
            if i % 7 == 1 {
                let tenant = record::create(
                    db,
                    &caller,
                    &CustomerInput {
                        org_unit_id: Some(p.org_unit_id),
                        code: format!("{}-Z", r.room.code),
                        name: rng.name(),
                        kind: "person".into(),
                        phones: vec![rng.phone()],
                        tags: vec!["长期租户".into()],
                        ..Default::default()
                    },
                )
                .await?;
                customer_count += 1;
                let start = handed + chrono::Duration::days(10);
                let end = today + chrono::Duration::days(rng.below(200) as i64 + 3);
                occupancy::move_in(
                    db,
                    &caller,
                    &MoveInInput {
                        room_id: Some(r.room.id),
                        customer_id: Some(tenant.customer.id),
                        role: "tenant".into(),
                        date: start.to_string(),
                        lease_start: start.to_string(),
                        lease_end: end.to_string(),
                    },
                )
                .await?;
            }
        }
    }
    populate_orders(db, &caller, &mut rng).await?;
    populate_history(db, &caller).await?;
    Ok((room_count, customer_count))
}

/// A demo engineer: login, name, phone.
type Colleague = (&'static str, &'static str, &'static str);

/// Engineers of an office for the history: the company's role 维修工程师
/// (created where the company has none), the demo `engineer` where it works
/// and a few colleagues, so the measures per engineer compare several people.
async fn history_engineers(
    db: &Db,
    caller: &Caller,
    (company, office): (i32, i32),
    projects: Vec<i32>,
    colleagues: &[Colleague],
) -> AppResult<Vec<(i32, String)>> {
    use crate::entity::role as roles;
    let existing = roles::Entity::find()
        .filter(roles::Column::OrgUnitId.eq(company))
        .filter(roles::Column::Name.eq("维修工程师"))
        .one(&db.conn)
        .await?;
    let role_id = match existing {
        Some(r) => r.id,
        None => {
            let permissions = engineer_permissions();
            let input =
                RoleInput { org_unit_id: Some(company), name: "维修工程师".into(), description: "接单维修".into(), permissions };
            role::create(db, caller, &input).await?.id
        }
    };
    let mut out: Vec<(i32, String)> = user::Entity::find()
        .filter(user::Column::Username.eq("engineer"))
        .filter(user::Column::OrgUnitId.eq(office))
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    for (username, name, phone) in colleagues {
        let input = UserInput {
            username: (*username).into(),
            display_name: (*name).into(),
            phone: (*phone).into(),
            org_unit_id: Some(office),
            password: DEMO_PASSWORD.into(),
            role_ids: vec![role_id],
            all_projects: false,
            project_ids: projects.clone(),
            superuser: false,
        };
        let u = users::create(db, caller, &input).await?;
        out.push((u.id, u.display_name));
    }
    Ok(out)
}

/// Four months of past orders for the offices of the demo agents, in every
/// state, with timelines, fees and return visits, so lists, clocks and
/// measures look alive.
async fn populate_history(db: &Db, caller: &Caller) -> AppResult<usize> {
    use crate::workorder::history::{self, Plan};
    let tz = chrono_tz::Asia::Shanghai;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let projects = project::in_scope(db, caller).await?;
    let offices: [(&str, usize, &[Colleague]); 2] = [
        ("agent", 3600, &[("engineer2", "刘洋", "13800138012"), ("engineer3", "孙建军", "13800138013")]),
        ("gz_agent", 1400, &[("gz_engineer", "黄海涛", "13900139011"), ("gz_engineer2", "罗志刚", "13900139012")]),
    ];
    let mut total = 0;
    for (i, (agent_name, count, colleagues)) in offices.into_iter().enumerate() {
        let Some(agent) = user::Entity::find().filter(user::Column::Username.eq(agent_name)).one(&db.conn).await? else { continue };
        let own: Vec<_> = projects.iter().filter(|p| p.org_unit_id == agent.org_unit_id).collect();
        let Some(company) = own.first().map(|p| p.company_id) else { continue };
        let project_ids = own.iter().map(|p| p.id).collect();
        let engineers = history_engineers(db, caller, (company, agent.org_unit_id), project_ids, colleagues).await?;
        let plan = Plan {
            company_id: company,
            places: history::places(db, &own).await?,
            agent: (agent.id, agent.display_name),
            engineers,
            from: today - chrono::Duration::days(120),
            to: today,
            count,
            seed: 20261201 + i as u64,
        };
        total += history::generate(db, caller, tz, &plan).await?;
    }
    Ok(total)
}

/// Work orders in every state on the first rooms of each project, so the
/// queues, clocks and timelines have something to show.
async fn populate_orders(db: &Db, caller: &Caller, rng: &mut Rng) -> AppResult<()> {
    use domain::workorder::Action::*;

    use crate::{
        property::room::{self as rooms, RoomFilter},
        workorder::{self, ActInput, MaterialInput, WorkOrderInput},
        PageRequest,
    };
    let engineer = user::Entity::find().filter(user::Column::Username.eq("engineer")).one(&db.conn).await?.map(|u| u.id);
    let tz = chrono_tz::Asia::Shanghai;
    let problems = [
        ("水电", "厨房水龙头漏水"),
        ("门窗", "入户门锁芯损坏"),
        ("公共设施", "楼道声控灯不亮"),
        ("清洁", "电梯厅地面污渍"),
        ("有偿家政", "空调清洗"),
        ("安防", "单元门禁刷卡无反应"),
    ];
    let paths: [&[domain::workorder::Action]; 7] = [
        &[],
        &[Dispatch],
        &[Dispatch, Start],
        &[Dispatch, Start, WaitCustomer],
        &[Dispatch, Start, Complete],
        &[Dispatch, Start, Complete, CustomerAccept],
        &[Dispatch, Start, Complete, CustomerAccept, ReturnVisit, Close],
    ];
    // Return visits go through the visit records, as the pages do.
    let satisfied = crate::visit::VisitInput {
        method: "phone".into(),
        satisfaction: "very_satisfied".into(),
        attitude: "good".into(),
        content: "师傅上门及时，问题已解决".into(),
        follow_up: String::new(),
    };
    for p in project::in_scope(db, caller).await? {
        let page = rooms::list(
            db,
            caller,
            &PageRequest { per_page: Some(24), ..Default::default() },
            &RoomFilter { project_id: Some(p.id), ..Default::default() },
        )
        .await?;
        for (i, r) in page.items.iter().enumerate() {
            let (category, text) = *rng.pick(&problems);
            let input = WorkOrderInput {
                room_id: Some(r.room.id),
                category: category.into(),
                kind: if category == "有偿家政" { "paid" } else { "internal" }.into(),
                priority: if i % 7 == 0 { "emergency" } else { "normal" }.into(),
                channel: "电话".into(),
                description: text.into(),
                ..Default::default()
            };
            let mut o = workorder::create(db, caller, tz, &input).await?;
            for action in paths[i % paths.len()] {
                if *action == ReturnVisit {
                    crate::visit::record_order_visit(db, caller, tz, o.order.id, o.order.version, &satisfied).await?;
                    o = workorder::get(db, caller, o.order.id).await?;
                    continue;
                }
                let act = ActInput {
                    action: action.code().into(),
                    assignee_id: engineer,
                    result: "已处理完毕".into(),
                    materials: vec![MaterialInput { item: "配件".into(), quantity: "1".into(), unit_price: "25".into() }],
                    labour_fee: "30".into(),
                    note: String::new(),
                };
                o = workorder::act(db, caller, tz, o.order.id, o.order.version, &act).await?;
            }
        }
    }
    Ok(())
}
