//! Digit grams for four-digit customer searches (a phone's last four, a
//! piece of an ID number or room code): every run of four digits in each
//! customer's searched text, as a number, so that such a keyword reads an
//! index instead of the trigram index's lists of its two three-digit
//! pieces, which hold most customers (see `customer::search`). Filled here
//! from the existing customers, in one transaction, so a failed fill leaves
//! nothing.

super::helpers::gram_migration!("customer_digit_grams", integer("gram"), "search_text", crate::customer::search::insert_digit_grams);
