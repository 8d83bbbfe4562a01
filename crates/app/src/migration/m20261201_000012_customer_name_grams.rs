//! Name grams for short customer searches: every 1- and 2-character piece of
//! each customer's name, so that a search by 王伟 reads an index instead of
//! scanning every customer (see `customer::search`). Filled here from the
//! existing customers, in one transaction, so a failed fill leaves nothing.

// Two characters (PostgreSQL counts characters, not bytes).
super::helpers::gram_migration!("customer_name_grams", string_len("gram", 2), "name", crate::customer::search::insert_name_grams);
