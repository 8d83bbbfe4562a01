//! Customer rules (CUS-1): identity documents, phones, input normalisation.

mod id_number;

pub use id_number::{check_id_number, Gender, IdCard, IdType};
