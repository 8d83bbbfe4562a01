//! Column and key helpers shared by the migrations. A helper's output is part
//! of every migration that used it: never change one, add a new one instead.

use sea_orm_migration::{prelude::*, schema::*};

/// Creation and update stamps plus the optimistic-locking version.
pub fn stamps(t: &mut TableCreateStatement) -> &mut TableCreateStatement {
    t.col(integer("version").default(1)).col(timestamp_with_time_zone("created_at")).col(timestamp_with_time_zone("updated_at"))
}

pub fn fk(from: (&str, &str), to: (&str, &str)) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(Alias::new(from.0), Alias::new(from.1)).to(Alias::new(to.0), Alias::new(to.1)).to_owned()
}

pub fn index(table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(format!("ix_{}_{}", table, cols.join("_"))).table(Alias::new(table));
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

/// Replaces the non-unique index on `old` columns of `table` by one on `new`
/// (the new one first, so queries always have one of them).
pub async fn replace_index(manager: &SchemaManager<'_>, table: &str, old: &[&str], new: &[&str]) -> Result<(), DbErr> {
    manager.create_index(index(table, new, false)).await?;
    let name = format!("ix_{}_{}", table, old.join("_"));
    manager.drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned()).await
}
