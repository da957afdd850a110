//! Labelled fields: the words that introduce a name, an address or a phone number in the
//! languages of the ccTLD community ("Name:", "E-mail:", "電話番号："), and reading one
//! `label: value` line (after its bullet or list number). Mostly data; kept apart so that a
//! new language's labels are added here without reading the layout code that uses them.

pub(super) const NAME_LABELS: &[&str] = &[
    "name",
    "full name",
    "contact name",
    "contact person",
    "person",
    "nom",
    "nom complet",
    "nombre",
    "nombre completo",
    "nome",
    "naam",
    "namn",
    "navn",
    "imię i nazwisko",
    "imię",
    "jméno",
    "jméno a příjmení",
    "имя",
    "фио",
    "ім'я",
    "氏名",
    "名前",
    "担当者",
    "姓名",
    "名字",
    "联系人",
    "이름",
    "όνομα",
    "ονοματεπώνυμο",
    "contact",
];
pub(super) const EMAIL_LABELS: &[&str] = &[
    "email",
    "e-mail",
    "mail",
    "email address",
    "e-mail address",
    "courriel",
    "adresse e-mail",
    "adresse électronique",
    "correo",
    "correo electrónico",
    "correo electronico",
    "e-posta",
    "endereço de e-mail",
    "endereço de email",
    "почта",
    "эл. почта",
    "электронная почта",
    "e-mail адрес",
    "ел. пошта",
    "电子邮件",
    "电子邮箱",
    "邮箱",
    "メール",
    "電子メール",
    "メールアドレス",
    "이메일",
    "adres e-mail",
    "emailová adresa",
];
pub(super) const PHONE_LABELS: &[&str] = &[
    "phone",
    "telephone",
    "tel",
    "tel.",
    "mobile",
    "cell",
    "mobile phone",
    "phone number",
    "telephone number",
    "mob",
    "gsm",
    "handy",
    "téléphone",
    "tél",
    "tél.",
    "portable",
    "teléfono",
    "telefono",
    "celular",
    "móvil",
    "telefone",
    "telemóvel",
    "telefon",
    "telefoon",
    "mobiel",
    "телефон",
    "тел",
    "тел.",
    "моб",
    "电话",
    "手机",
    "電話",
    "電話番号",
    "携帯",
    "전화",
    "전화번호",
    "τηλέφωνο",
    "telefon komórkowy",
];

pub(super) fn strip_bullet(s: &str) -> &str {
    let s = s.trim();
    let s = s
        .trim_start_matches(['-', '*', '•', '·', '–', '—', '+', '○', '▪'])
        .trim_start();
    // "1." "2)" "(a)" "a)"
    let mut chars = s.char_indices();
    let mut end = 0;
    for (i, c) in chars.by_ref() {
        if c.is_ascii_digit() || (i == 0 && c.is_ascii_lowercase()) || c == '(' {
            end = i + c.len_utf8();
            continue;
        }
        if (c == '.' || c == ')') && end > 0 {
            return s[i + 1..].trim_start();
        }
        break;
    }
    s
}

/// `label: value` with a known label kind.
pub(super) fn label_of(line: &str) -> Option<(Kind, &str)> {
    let t = strip_bullet(line);
    let (label, value) = t.split_once([':', '：'])?;
    let label = label.trim().trim_matches('*').trim().to_lowercase();
    let kind = if EMAIL_LABELS.contains(&label.as_str()) {
        Kind::Email
    } else if PHONE_LABELS.contains(&label.as_str())
        || label.starts_with("phone")
        || label.starts_with("tel")
    {
        Kind::Phone
    } else if NAME_LABELS.contains(&label.as_str()) {
        Kind::Name
    } else {
        return None;
    };
    Some((kind, value.trim()))
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Name,
    Email,
    Phone,
}
