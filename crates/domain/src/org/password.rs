/// Password policy (SYS-5): at least 8 characters, with letters and digits.
/// Returns the Chinese message to show beside the field.
pub fn check_password_policy(password: &str) -> Result<(), &'static str> {
    if password.chars().count() < 8 {
        return Err("密码至少 8 位");
    }
    if password.chars().count() > 128 {
        return Err("密码不能超过 128 位");
    }
    let has_letter = password.chars().any(|c| c.is_ascii_alphabetic());
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    if !(has_letter && has_digit) {
        return Err("密码须同时包含字母和数字");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn policy() {
        assert!(check_password_policy("abc12345").is_ok());
        assert_eq!(check_password_policy("abc1234"), Err("密码至少 8 位"));
        assert_eq!(check_password_policy("abcdefgh"), Err("密码须同时包含字母和数字"));
        assert_eq!(check_password_policy("12345678"), Err("密码须同时包含字母和数字"));
        assert_eq!(check_password_policy("管家管家管家管家"), Err("密码须同时包含字母和数字"));
    }

    proptest! {
        #[test]
        fn any_accepted_password_has_letters_digits_and_length(p in "\\PC{0,20}") {
            if check_password_policy(&p).is_ok() {
                prop_assert!(p.chars().count() >= 8);
                prop_assert!(p.chars().any(|c| c.is_ascii_digit()));
                prop_assert!(p.chars().any(|c| c.is_ascii_alphabetic()));
            }
        }
    }
}
