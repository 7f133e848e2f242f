//! Properties 2 and 3: the ERP's and the web shop's answers.

use super::*;

// ---------------------------------------------------------------------------------------
// 2. and 3. The ERP's and the web shop's answers

/// Strings as customer fields hold them, sometimes escaped.
fn json_text() -> BoxedStrategy<V> {
    let unstorable = (field_text(), select(UNSTORABLE), any::<Index>()).prop_map(|(text, bad, at)| {
        let mut chars: Vec<char> = text.chars().collect();
        chars.insert(at.index(chars.len() + 1), bad);
        chars.into_iter().collect::<String>()
    });
    prop_oneof![
        60 => field_text().prop_map(V::Str),
        10 => field_text().prop_map(V::Escaped),
        1 => unstorable.prop_map(V::Str),
    ]
    .boxed()
}

/// Texts for fields that mostly hold what a person would type, so that whole records are
/// often storable; any text at times.
pub(super) fn field_text() -> BoxedStrategy<String> {
    prop_oneof![
        12 => "[A-Z][a-z]{1,12}( [A-Z][a-z'-]{1,12}){0,2}",
        8 => prop::collection::vec(select(PALETTE), 1..16).prop_map(|cs| cs.into_iter().collect()),
        1 => text(),
    ]
    .boxed()
}

fn unsigned() -> BoxedStrategy<V> {
    prop_oneof![
        40 => (0u64..1_000_000).prop_map(|n| V::Int(n as i64)),
        10 => any::<u64>().prop_map(|n| V::Raw(n.to_string())),
        1 => select(&["0", "18446744073709551615", "18446744073709551616", "-1", "1.5", "1e3", "-0", "00", "1e400"][..])
            .prop_map(|raw| V::Raw(raw.into())),
    ]
    .boxed()
}

fn signed() -> BoxedStrategy<V> {
    prop_oneof![
        50 => any::<i64>().prop_map(V::Int),
        1 => select(&["-9223372036854775808", "9223372036854775808", "1.0", "-1e2", "1_000"][..])
            .prop_map(|raw| V::Raw(raw.into())),
    ]
    .boxed()
}

pub(super) fn boolean() -> BoxedStrategy<V> {
    any::<bool>().prop_map(V::Bool).boxed()
}

fn maybe(value: BoxedStrategy<V>) -> BoxedStrategy<V> {
    prop_oneof![4 => value, 1 => Just(V::Null)].boxed()
}

/// A customer object: every field, at times left out or of the wrong type.
fn customer_json(web: bool) -> BoxedStrategy<V> {
    const OPTIONAL: [&str; 8] = ["company", "tax_id", "email", "phone", "street", "postal_code", "city", "country"];
    let number = prop_oneof![3 => "K-[0-9]{7}".prop_map(V::str), 1 => json_text()].boxed();
    let mut fields = if web {
        vec![
            required("id", seldom_wrong(prop_oneof![3 => "W-[0-9]{6}".prop_map(V::str), 1 => json_text()])),
            entry("customer_number", seldom_wrong(maybe(number))),
        ]
    } else {
        vec![required("number", seldom_wrong(number))]
    };
    fields.push(required("first_name", seldom_wrong(json_text())));
    fields.push(required("last_name", seldom_wrong(json_text())));
    fields.extend(OPTIONAL.into_iter().map(|field| entry(field, seldom_wrong(maybe(json_text())))));
    if !web {
        fields.push(required("active", seldom_wrong(boolean())));
    }
    fields.push(required("version", seldom_wrong(unsigned())));
    fields.push(required("updated_at", seldom_wrong(signed())));
    if !web {
        fields.push(entry("previewable", seldom_wrong(boolean())));
        fields.push(entry("editable", seldom_wrong(boolean())));
    }
    // A required field left out, at times.
    let omit = prop_oneof![100 => Just(None), 1 => any::<Index>().prop_map(Some)];
    (table(fields, &["number", "id", "active"], true), omit)
        .prop_map(|(customer, omit)| match (customer, omit) {
            (V::Tab(mut entries, style), Some(at)) if !entries.is_empty() => {
                entries.remove(at.index(entries.len()));
                V::Tab(entries, style)
            }
            (customer, _) => customer,
        })
        .boxed()
}

/// A page of a change feed (the ERP's or the web shop's) of `change`s.
fn feed_page(change: BoxedStrategy<V>) -> BoxedStrategy<V> {
    table(
        vec![
            required("changes", list_of(change)),
            required("next", typed(unsigned(), true)),
            required("has_more", typed(boolean(), true)),
        ],
        &["changes"],
        true,
    )
}

fn list_of(item: BoxedStrategy<V>) -> BoxedStrategy<V> {
    typed(prop::collection::vec(item, 0..6).prop_map(V::Arr), true)
}

/// The pages and customers the ERP answers with, by endpoint.
#[derive(Clone, Copy, Debug, PartialEq)]
enum ErpAnswer {
    Search,
    Customer,
    List,
    Changes,
}

fn erp_json(answer: ErpAnswer) -> BoxedStrategy<V> {
    match answer {
        ErpAnswer::Search => table(
            vec![required("customers", list_of(customer_json(false))), required("has_more", typed(boolean(), true))],
            &["customers"],
            true,
        ),
        ErpAnswer::Customer => customer_json(false),
        ErpAnswer::List => table(
            vec![
                required("customers", list_of(customer_json(false))),
                required("next_after", typed(maybe(json_text()), true)),
                required("as_of", typed(unsigned(), true)),
                entry("total", typed(maybe(unsigned()), true)),
            ],
            &["customers", "as_of"],
            true,
        ),
        ErpAnswer::Changes => {
            let change = table(
                vec![
                    required("version", typed(unsigned(), true)),
                    required("number", typed(json_text(), true)),
                    seldom("deleted_at", typed(maybe(signed()), true)),
                    entry("customer", typed(maybe(customer_json(false)), true)),
                ],
                &["customer", "deleted_at"],
                true,
            );
            feed_page(change)
        }
    }
}

fn erp_answer() -> impl Strategy<Value = ErpAnswer> {
    select(&[ErpAnswer::Search, ErpAnswer::Customer, ErpAnswer::List, ErpAnswer::Changes][..])
}

/// A response body, shown as text when a case fails.
#[derive(Clone)]
struct Body(Vec<u8>);

impl Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match std::str::from_utf8(&self.0) {
            Ok(text) => write!(f, "{text:?}"),
            Err(_) => write!(f, "{:?} (not UTF-8, shown lossily)", String::from_utf8_lossy(&self.0)),
        }
    }
}

/// Bodies of no particular format: any bytes, or text of any kind.
fn any_body() -> BoxedStrategy<Body> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..600).prop_map(Body),
        any_text().prop_map(|text| Body(text.into_bytes())),
    ]
    .boxed()
}

/// A body for `answer`: generated, mutated, or anything at all.
fn erp_body(answer: ErpAnswer) -> BoxedStrategy<Body> {
    prop_oneof![
        12 => erp_json(answer).prop_map(|v| Body(v.json().into_bytes())),
        2 => mutated(erp_json(answer).prop_map(|v| v.json())).prop_map(|text| Body(text.into_bytes())),
        1 => any_body(),
    ]
    .boxed()
}

/// The `serde_json::Value` of a body, `Err(true)` when the body is no JSON (a refusal),
/// `Err(false)` when that cannot be judged: the client's types skip unknown fields without
/// checking their numbers' range or their strings' encoding, which a `Value` checks.
fn json_value(body: &[u8]) -> Result<Value, bool> {
    serde_json::from_slice::<Value>(body).map_err(|error| {
        let message = error.to_string();
        !["number out of range", "unicode", "surrogate", "UTF-8", "escape"].iter().any(|m| message.contains(m))
    })
}

/// What a body should decode to, judged on `serde_json::Value`s: the shape is wrong
/// somewhere (a refusal), cannot be judged here (an array where an object belongs, which
/// serde may read field by field; a key written twice), or right.
#[derive(Default)]
struct Shape {
    malformed: bool,
    unknown: bool,
}

impl Shape {
    fn object<'a>(&mut self, value: Option<&'a Value>) -> Option<&'a Map<String, Value>> {
        match value {
            Some(Value::Object(map)) => Some(map),
            Some(Value::Array(_)) => {
                self.unknown = true;
                None
            }
            _ => {
                self.malformed = true;
                None
            }
        }
    }

    /// An optional object (`null` or left out is none).
    fn maybe_object<'a>(&mut self, value: Option<&'a Value>) -> Option<&'a Map<String, Value>> {
        match value {
            None | Some(Value::Null) => None,
            other => self.object(other),
        }
    }

    fn string<'a>(&mut self, map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
        let found = map.get(key).and_then(Value::as_str);
        self.malformed |= found.is_none();
        found
    }

    fn maybe_string<'a>(&mut self, map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
        match map.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text),
            Some(_) => {
                self.malformed = true;
                None
            }
        }
    }

    fn boolean(&mut self, map: &Map<String, Value>, key: &str, default: Option<bool>) -> bool {
        match (map.get(key), default) {
            (None, Some(default)) => default,
            (Some(Value::Bool(b)), _) => *b,
            _ => {
                self.malformed = true;
                false
            }
        }
    }

    fn unsigned(&mut self, map: &Map<String, Value>, key: &str) -> u64 {
        let found = map.get(key).and_then(Value::as_u64);
        self.malformed |= found.is_none();
        found.unwrap_or_default()
    }

    fn signed(&mut self, map: &Map<String, Value>, key: &str) -> i64 {
        let found = map.get(key).and_then(Value::as_i64);
        self.malformed |= found.is_none();
        found.unwrap_or_default()
    }

    fn maybe_number(&mut self, map: &Map<String, Value>, key: &str, signed: bool) -> Option<Value> {
        match map.get(key) {
            None | Some(Value::Null) => None,
            Some(value) if signed && value.as_i64().is_some() => Some(value.clone()),
            Some(value) if !signed && value.as_u64().is_some() => Some(value.clone()),
            Some(_) => {
                self.malformed = true;
                None
            }
        }
    }

    fn array<'a>(&mut self, map: &'a Map<String, Value>, key: &str) -> &'a [Value] {
        match map.get(key) {
            Some(Value::Array(items)) => items,
            _ => {
                self.malformed = true;
                &[]
            }
        }
    }

    /// The customer `value` holds, as the ERP (`web` false) or the web shop sends it.
    fn customer(&mut self, value: Option<&Value>, web: bool) -> Option<Customer> {
        let map = self.object(value)?;
        let mut text = |key: &str| self.maybe_string(map, key).map(String::from);
        let optional = [
            text("company"),
            text("tax_id"),
            text("email"),
            text("phone"),
            text("street"),
            text("postal_code"),
            text("city"),
            text("country"),
        ];
        let [company, tax_id, email, phone, street, postal_code, city, country] = optional;
        let (number, web_id) = if web {
            let id = self.string(map, "id").map(String::from);
            let number = self.maybe_string(map, "customer_number").filter(|n| !is_blank(n)).map(String::from);
            (number, id)
        } else {
            (self.string(map, "number").map(String::from), None)
        };
        let first_name = self.string(map, "first_name").unwrap_or_default().to_owned();
        let last_name = self.string(map, "last_name").unwrap_or_default().to_owned();
        let active = if web { true } else { self.boolean(map, "active", None) };
        let version = self.unsigned(map, "version");
        let updated_at = self.signed(map, "updated_at");
        let (previewable, editable) = if web {
            (true, true)
        } else {
            (self.boolean(map, "previewable", Some(true)), self.boolean(map, "editable", Some(true)))
        };
        Some(Customer {
            number,
            web_id,
            first_name,
            last_name,
            company,
            tax_id,
            email,
            phone,
            street,
            postal_code,
            city,
            country,
            active,
            origin: if web { Origin::Web } else { Origin::Erp },
            version,
            updated_at,
            previewable,
            editable,
        })
    }
}

/// Whether the store can hold `customer` as the ERP sent it.
fn storable_erp(customer: &Customer) -> bool {
    !is_blank(customer.number.as_deref().unwrap_or(""))
        && !is_blank(&customer.last_name)
        && fields_of(customer).iter().all(|text| check_text(text).is_ok())
}

/// Whether the store can hold `customer` as the web shop sent it.
fn storable_web(customer: &Customer) -> bool {
    !is_blank(customer.web_id.as_deref().unwrap_or(""))
        && !is_blank(&customer.last_name)
        && fields_of(customer).iter().all(|text| check_text(text).is_ok())
}

fn fields_of(customer: &Customer) -> Vec<&str> {
    let optional = [
        &customer.number,
        &customer.web_id,
        &customer.company,
        &customer.tax_id,
        &customer.email,
        &customer.phone,
        &customer.street,
        &customer.postal_code,
        &customer.city,
        &customer.country,
    ];
    let mut fields: Vec<&str> = optional.into_iter().flatten().map(String::as_str).collect();
    fields.extend([customer.first_name.as_str(), customer.last_name.as_str()]);
    fields
}

/// Whether some object of `body` writes a key twice, which serde refuses for known fields.
fn repeats_a_key(body: &[u8]) -> bool {
    struct Check;
    impl<'de> serde::Deserialize<'de> for Check {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Check, D::Error> {
            deserializer.deserialize_any(CheckVisitor)
        }
    }
    struct CheckVisitor;
    impl<'de> serde::de::Visitor<'de> for CheckVisitor {
        type Value = Check;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, _: bool) -> Result<Check, E> {
            Ok(Check)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Check, E> {
            Ok(Check)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Check, E> {
            Ok(Check)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Check, E> {
            Ok(Check)
        }
        fn visit_str<E>(self, _: &str) -> Result<Check, E> {
            Ok(Check)
        }
        fn visit_unit<E>(self) -> Result<Check, E> {
            Ok(Check)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Check, A::Error> {
            while seq.next_element::<Check>()?.is_some() {}
            Ok(Check)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Check, A::Error> {
            let mut keys = std::collections::HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                if !keys.insert(key) {
                    return Err(serde::de::Error::custom("a repeated key"));
                }
                map.next_value::<Check>()?;
            }
            Ok(Check)
        }
    }
    serde_json::from_slice::<Check>(body).is_err()
}

/// What an ERP body should decode to: `None` when it cannot be judged, else whether it is
/// refused and, when not, the customers in it (with the numbers and versions of removals).
#[derive(Debug, PartialEq)]
enum Expected<T> {
    Refused,
    Decoded(T),
}

type ErpDecoded = (Vec<Customer>, Vec<String>);

fn expected_erp(answer: ErpAnswer, body: &[u8]) -> Option<Expected<ErpDecoded>> {
    let value = match json_value(body) {
        Ok(value) => value,
        Err(refused) => return refused.then_some(Expected::Refused),
    };
    let mut shape = Shape::default();
    let mut customers = Vec::new();
    let mut removed = Vec::new();
    let mut storable = true;
    let mut take = |customer: Option<Customer>, storable: &mut bool| {
        if let Some(customer) = customer {
            *storable &= storable_erp(&customer);
            customers.push(customer);
        }
    };
    match answer {
        ErpAnswer::Customer => take(shape.customer(Some(&value), false), &mut storable),
        ErpAnswer::Search | ErpAnswer::List => {
            if let Some(page) = shape.object(Some(&value)) {
                for customer in shape.array(page, "customers") {
                    take(shape.customer(Some(customer), false), &mut storable);
                }
                if answer == ErpAnswer::Search {
                    shape.boolean(page, "has_more", None);
                } else {
                    shape.maybe_string(page, "next_after");
                    shape.unsigned(page, "as_of");
                    shape.maybe_number(page, "total", false);
                }
            }
        }
        ErpAnswer::Changes => {
            if let Some(page) = shape.object(Some(&value)) {
                for change in shape.array(page, "changes") {
                    let Some(change) = shape.object(Some(change)) else { continue };
                    shape.unsigned(change, "version");
                    let number = shape.string(change, "number").unwrap_or_default().to_owned();
                    let deleted = shape.maybe_number(change, "deleted_at", true).is_some();
                    let customer = match shape.maybe_object(change.get("customer")) {
                        Some(_) => shape.customer(change.get("customer"), false),
                        None => None,
                    };
                    match (deleted, customer) {
                        (false, Some(customer)) => take(Some(customer), &mut storable),
                        _ => removed.push(number),
                    }
                }
                shape.unsigned(page, "next");
                shape.boolean(page, "has_more", None);
            }
        }
    }
    if shape.malformed {
        return Some(Expected::Refused);
    }
    if shape.unknown || repeats_a_key(body) {
        return None;
    }
    Some(if storable { Expected::Decoded((customers, removed)) } else { Expected::Refused })
}

/// Decodes `body` as the ERP client does for `answer`: the customers and the removals, or
/// the error.
fn decode_erp(answer: ErpAnswer, body: &[u8]) -> Result<ErpDecoded, ErpError> {
    use pos_host::erp::{Change, decode};
    Ok(match answer {
        ErpAnswer::Search => (decode::search_page(body)?.customers, Vec::new()),
        ErpAnswer::Customer => (vec![decode::customer(body)?], Vec::new()),
        ErpAnswer::List => (decode::list_page(body)?.customers, Vec::new()),
        ErpAnswer::Changes => {
            let mut decoded = (Vec::new(), Vec::new());
            for change in decode::changes_page(body)?.changes {
                match change {
                    Change::Upsert(customer) => decoded.0.push(*customer),
                    Change::Removed { number } => decoded.1.push(number),
                }
            }
            decoded
        }
    })
}

const ERP_MALFORMED: &str = "the data service sent a malformed response: ";

/// Decodes `body`: no panic; a refusal is an `unavailable` that says what was malformed;
/// what is decoded can be stored; and the outcome is the one the wire format implies.
fn check_erp(answer: ErpAnswer, body: &[u8], tally: &Tally) -> TestCaseResult {
    let decoded = decode_erp(answer, body);
    tally.count(match &decoded {
        Ok((customers, _)) if customers.is_empty() => "decoded without customers",
        Ok(_) => "decoded with customers",
        Err(_) => "refused",
    });
    match &decoded {
        Ok((customers, _)) => {
            for customer in customers {
                prop_assert!(check_fields(customer).is_ok(), "an unstorable customer was decoded: {customer:?}");
                prop_assert_eq!(customer.origin, Origin::Erp);
            }
        }
        Err(ErpError::Unavailable(why)) => {
            let detail = why.strip_prefix(ERP_MALFORMED);
            prop_assert!(detail.is_some_and(|d| !d.trim().is_empty()), "an unclear refusal: {why:?}");
        }
        Err(other) => prop_assert!(false, "a body refused as something else than malformed: {other:?}"),
    }
    match (expected_erp(answer, body), decoded) {
        (None, _) => tally.count("of them not judged on their JSON"),
        (Some(Expected::Refused), Err(_)) => {}
        (Some(Expected::Refused), Ok(decoded)) => prop_assert!(false, "decoded what should be refused: {decoded:?}"),
        (Some(Expected::Decoded(_)), Err(error)) => prop_assert!(false, "refused what should decode: {error:?}"),
        (Some(Expected::Decoded(expected)), Ok(decoded)) => prop_assert_eq!(decoded, expected),
    }
    Ok(())
}

#[test]
fn erp_answers_of_any_bytes_decode_or_fail_clearly() {
    fuzz("ERP answers, any bytes", Cost::Cheap, (erp_answer(), any_body()), |(answer, body), tally| {
        check_erp(answer, &body.0, tally)
    });
}

#[test]
fn erp_answers_decode_as_the_wire_format_says() {
    let strategy = erp_answer().prop_flat_map(|answer| (Just(answer), erp_body(answer)));
    fuzz("ERP answers, generated", Cost::Cheap, strategy, |(answer, body), tally| check_erp(answer, &body.0, tally));
}

/// One HTTP server on loopback answering every request with `body` (200, JSON).
async fn answering(body: Arc<Mutex<Vec<u8>>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(move || {
        let body = body.lock().unwrap().clone();
        async move { ([("content-type", "application/json")], body) }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

pub(super) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

#[test]
fn erp_client_reads_answers_as_the_decoder_does() {
    let runtime = runtime();
    let body = Arc::new(Mutex::new(Vec::new()));
    let url = runtime.block_on(answering(body.clone()));
    // Long enough never to expire on a loaded machine: a malformed answer is retried twice,
    // 100 and 300 ms apart, and then reported as it was.
    let config = ErpConfig { url, workstation: "POS-01".into(), timeout: Duration::from_secs(10) };
    let client = ErpClient::new(config).unwrap();
    let strategy = erp_answer().prop_flat_map(|answer| {
        let body = prop_oneof![3 => erp_json(answer).prop_map(|v| Body(v.json().into_bytes())), 1 => erp_body(answer)];
        (Just(answer), body)
    });
    fuzz("ERP client over HTTP", Cost::Slow, strategy, |(answer, Body(answer_body)), tally| {
        *body.lock().unwrap() = answer_body.clone();
        let query = SearchQuery { phrase: "kowal".into(), filters: Vec::new(), include_inactive: false };
        let got = runtime.block_on(async {
            use pos_host::erp::{Change, ChangesError};
            Ok::<_, ErpError>(match answer {
                ErpAnswer::Search => (client.search(&query, 10).await?.customers, Vec::new()),
                ErpAnswer::Customer => (client.fetch("K-0000001").await?.into_iter().collect(), Vec::new()),
                ErpAnswer::List => (client.list(None, 100).await?.customers, Vec::new()),
                ErpAnswer::Changes => {
                    let page = client.changes("0", 100).await.map_err(|error| match error {
                        ChangesError::Erp(error) => error,
                        ChangesError::CursorExpired => ErpError::Rejected("cursor expired".into()),
                    })?;
                    let mut decoded = (Vec::new(), Vec::new());
                    for change in page.changes {
                        match change {
                            Change::Upsert(customer) => decoded.0.push(*customer),
                            Change::Removed { number } => decoded.1.push(number),
                        }
                    }
                    decoded
                }
            })
        });
        prop_assert_eq!(format!("{got:?}"), format!("{:?}", decode_erp(answer, &answer_body)));
        check_erp(answer, &answer_body, tally)
    });
}

/// The registrations feed and one web customer.
#[derive(Clone, Copy, Debug, PartialEq)]
enum WebAnswer {
    Registrations,
    Customer,
}

fn web_answer() -> impl Strategy<Value = WebAnswer> {
    select(&[WebAnswer::Registrations, WebAnswer::Customer][..])
}

fn web_json(answer: WebAnswer) -> BoxedStrategy<V> {
    match answer {
        WebAnswer::Customer => customer_json(true),
        WebAnswer::Registrations => {
            let change = table(
                vec![
                    required("version", typed(unsigned(), true)),
                    required("id", typed(prop_oneof![3 => "W-[0-9]{6}".prop_map(V::str), 1 => json_text()], true)),
                    seldom("deleted_at", typed(maybe(signed()), true)),
                    entry("customer", typed(maybe(customer_json(true)), true)),
                ],
                &["customer", "deleted_at"],
                true,
            );
            feed_page(change)
        }
    }
}

fn web_body(answer: WebAnswer) -> BoxedStrategy<Body> {
    prop_oneof![
        12 => web_json(answer).prop_map(|v| Body(v.json().into_bytes())),
        2 => mutated(web_json(answer).prop_map(|v| v.json())).prop_map(|text| Body(text.into_bytes())),
        1 => any_body(),
    ]
    .boxed()
}

/// One change of the feed as it should be decoded.
#[derive(Debug, PartialEq)]
enum WebItem {
    Changed(Box<Customer>),
    Deleted(String, u64),
    Refused(String),
}

fn expected_web(answer: WebAnswer, body: &[u8]) -> Option<Expected<Vec<WebItem>>> {
    let value = match json_value(body) {
        Ok(value) => value,
        Err(refused) => return refused.then_some(Expected::Refused),
    };
    let mut shape = Shape::default();
    let mut items = Vec::new();
    let mut refused = false;
    match answer {
        WebAnswer::Customer => match shape.customer(Some(&value), true) {
            Some(customer) if storable_web(&customer) => items.push(WebItem::Changed(Box::new(customer))),
            Some(_) => refused = true,
            None => {}
        },
        WebAnswer::Registrations => {
            if let Some(page) = shape.object(Some(&value)) {
                for change in shape.array(page, "changes") {
                    let Some(change) = shape.object(Some(change)) else { continue };
                    let version = shape.unsigned(change, "version");
                    let id = shape.string(change, "id").unwrap_or_default().to_owned();
                    let deleted = shape.maybe_number(change, "deleted_at", true).is_some();
                    let customer = match shape.maybe_object(change.get("customer")) {
                        Some(_) => shape.customer(change.get("customer"), true),
                        None => None,
                    };
                    items.push(match (deleted, customer) {
                        (false, Some(customer)) if storable_web(&customer) => WebItem::Changed(Box::new(customer)),
                        (false, Some(_)) => WebItem::Refused(id),
                        _ => WebItem::Deleted(id, version),
                    });
                }
                shape.unsigned(page, "next");
                shape.boolean(page, "has_more", None);
            }
        }
    }
    if shape.malformed {
        return Some(Expected::Refused);
    }
    if shape.unknown || repeats_a_key(body) {
        return None;
    }
    Some(if refused { Expected::Refused } else { Expected::Decoded(items) })
}

fn decode_web(answer: WebAnswer, body: &[u8]) -> Result<Vec<Registration>, WebshopError> {
    use pos_host::webshop::decode;
    Ok(match answer {
        WebAnswer::Customer => vec![Registration::Changed(Box::new(decode::customer(body)?))],
        WebAnswer::Registrations => decode::registrations_page(body)?.changes,
    })
}

const WEB_MALFORMED: &str = "a malformed response: ";

/// Decodes `body`: no panic; a refusal is a lost answer that says what was malformed; a
/// registration that cannot be stored is refused with its reason while the rest of the page
/// is read; and the outcome is the one the wire format implies.
fn check_web(answer: WebAnswer, body: &[u8], tally: &Tally) -> TestCaseResult {
    let decoded = decode_web(answer, body);
    if let Ok(items) = &decoded {
        let refused = items.iter().filter(|item| matches!(item, Registration::Refused { .. })).count();
        tally.count(match refused {
            0 => "decoded",
            n if n == items.len() => "decoded, every registration refused",
            _ => "decoded, some registrations refused and the others read",
        });
    } else {
        tally.count("refused");
    }
    match &decoded {
        Ok(items) => {
            for item in items {
                match item {
                    Registration::Changed(customer) => {
                        prop_assert!(
                            check_person(customer).is_ok(),
                            "an unstorable customer was decoded: {customer:?}"
                        );
                        prop_assert_eq!(customer.origin, Origin::Web);
                        prop_assert!(customer.web_id.as_deref().is_some_and(|id| !is_blank(id)));
                    }
                    Registration::Refused { reason, .. } => {
                        prop_assert!(!reason.trim().is_empty(), "a registration refused without a reason");
                    }
                    Registration::Deleted { .. } => {}
                }
            }
        }
        Err(WebshopError::NoAnswer(why)) => {
            let detail = why.strip_prefix(WEB_MALFORMED);
            prop_assert!(detail.is_some_and(|d| !d.trim().is_empty()), "an unclear refusal: {why:?}");
        }
        Err(other) => prop_assert!(false, "a body refused as something else than malformed: {other:?}"),
    }
    let as_items = |items: Vec<Registration>| -> Vec<WebItem> {
        items
            .into_iter()
            .map(|item| match item {
                Registration::Changed(customer) => WebItem::Changed(customer),
                Registration::Deleted { web_id, version } => WebItem::Deleted(web_id, version),
                Registration::Refused { web_id, .. } => WebItem::Refused(web_id),
            })
            .collect()
    };
    match (expected_web(answer, body), decoded) {
        (None, _) => tally.count("of them not judged on their JSON"),
        (Some(Expected::Refused), Err(_)) => {}
        (Some(Expected::Refused), Ok(decoded)) => prop_assert!(false, "decoded what should be refused: {decoded:?}"),
        (Some(Expected::Decoded(_)), Err(error)) => prop_assert!(false, "refused what should decode: {error:?}"),
        (Some(Expected::Decoded(expected)), Ok(decoded)) => prop_assert_eq!(as_items(decoded), expected),
    }
    Ok(())
}

#[test]
fn webshop_answers_of_any_bytes_decode_or_fail_clearly() {
    fuzz("web shop answers, any bytes", Cost::Cheap, (web_answer(), any_body()), |(answer, body), tally| {
        check_web(answer, &body.0, tally)
    });
}

#[test]
fn webshop_registrations_refuse_only_what_cannot_be_stored() {
    let strategy = web_answer().prop_flat_map(|answer| (Just(answer), web_body(answer)));
    fuzz("web shop answers, generated", Cost::Cheap, strategy, |(answer, body), tally| {
        check_web(answer, &body.0, tally)
    });
}

#[test]
fn webshop_client_reads_answers_as_the_decoder_does() {
    let runtime = runtime();
    let body = Arc::new(Mutex::new(Vec::new()));
    let url = runtime.block_on(answering(body.clone()));
    let config = WebshopConfig { url, workstation: "POS-01".into(), timeout: Duration::from_secs(10) };
    let client = WebshopClient::new(config).unwrap();
    let strategy = web_answer().prop_flat_map(|answer| {
        let body = prop_oneof![3 => web_json(answer).prop_map(|v| Body(v.json().into_bytes())), 1 => web_body(answer)];
        (Just(answer), body)
    });
    fuzz("web shop client over HTTP", Cost::Slow, strategy, |(answer, Body(answer_body)), tally| {
        *body.lock().unwrap() = answer_body.clone();
        let got = runtime.block_on(async {
            Ok::<_, WebshopError>(match answer {
                WebAnswer::Customer => {
                    client.get("W-000001").await?.map(|c| Registration::Changed(Box::new(c))).into_iter().collect()
                }
                WebAnswer::Registrations => client.registrations(0, 100).await?.changes,
            })
        });
        prop_assert_eq!(format!("{got:?}"), format!("{:?}", decode_web(answer, &answer_body)));
        check_web(answer, &answer_body, tally)
    });
}
