//! An erasure request: after `POST /api/customers/{key}/erase` the customer's name, e-mail
//! address and phone number are nowhere in the bytes of the database and its log, written
//! or folded as the search index keeps them; the audit still shows that decisions were made.
//! A removal in the ERP's change feed erases the same way.

use crate::customer;
use crate::http_api::{Served, serve_plain};
use axum::http::{Method, StatusCode};
use pos_host::bindings::{Customer, SearchQuery};
use pos_tests::sim::{AdminCustomer, WebCustomer, WebCustomerFields};
use serde_json::{Value, json};
use std::sync::Arc;

/// The bytes of the database file and of its log, if any.
fn files(database: &std::path::Path) -> Vec<u8> {
    let mut bytes = std::fs::read(database).unwrap();
    let log = database.with_extension("sqlite-wal");
    bytes.extend(std::fs::read(log).unwrap_or_default());
    bytes
}

fn holds(bytes: &[u8], text: &str) -> bool {
    found(bytes, text).is_some()
}

/// Where `text` is in `bytes`, with what surrounds it, printable.
fn found(bytes: &[u8], text: &str) -> Option<String> {
    let at = bytes.windows(text.len()).position(|w| w == text.as_bytes())?;
    let around = &bytes[at.saturating_sub(120)..(at + text.len() + 120).min(bytes.len())];
    Some(format!("at byte {at}: {:?}", String::from_utf8_lossy(around)))
}

/// Registers `fields` on the web shop and takes the web customer over onto the local
/// customer K-1, the operator answering the last-name question: an audit entry about both.
async fn take_over_onto_k1(s: &Arc<Served>, fields: WebCustomerFields) -> WebCustomer {
    let married = s.sim.register_web_customer(fields).await.unwrap();
    assert_eq!(s.get("/api/web/edits").await.0, StatusCode::OK);
    take_over_local(s, &married.id, "K-1").await;
    married
}

/// Takes web customer `web_id` over onto local customer `number`, continuing past the
/// question about the different last name.
pub(crate) async fn take_over_local(s: &Arc<Served>, web_id: &str, number: &str) {
    let took = {
        let (s, number) = (s.clone(), number.to_owned());
        let path = format!("/api/web/edits/{web_id}/take-over-local");
        tokio::spawn(async move { s.post(&path, json!({ "number": number })).await })
    };
    let prompt = format!("/api/prompts/{}", s.prompts("en").await[0]["id"]);
    s.post(&prompt, json!({ "choice": "continue" })).await;
    assert_eq!(took.await.unwrap().1["outcome"], "applied");
}

#[tokio::test]
async fn an_erased_customer_leaves_no_byte_of_personal_data_and_the_decisions_stay() {
    let zofia = Customer {
        email: Some("zofia.b@example.pl".into()),
        phone: Some("+48 601 234 567".into()),
        street: Some("ul. Szczebrzeszyńska 7".into()),
        ..customer(Some("K-1"), "Zofia", "Brzęczyszczykiewicz")
    };
    let others: Vec<Customer> =
        (2..200).map(|i| customer(Some(&format!("K-{i}")), "Jan", &format!("Kowalski{i}"))).collect();
    // Plain: the bytes of an encrypted file say nothing of what an erasure leaves.
    let s = Arc::new(serve_plain([vec![zofia], others].concat(), Vec::new()).await);
    let database = s.policy.parent().unwrap().join("pos.sqlite");
    let married = take_over_onto_k1(
        &s,
        WebCustomerFields {
            first_name: "Zofia".into(),
            last_name: "Wąsowska".into(),
            email: Some("zofia.b@example.pl".into()),
            phone: Some("+48 601 234 567".into()),
            ..WebCustomerFields::default()
        },
    )
    .await;
    let edit = Some(json!({ "phone": "+48 602 765 432", "city": "Szczebrzeszyn" }));
    assert_eq!(s.call(Method::PATCH, "/api/customers/K-1", edit).await.0, StatusCode::OK);
    let secrets = [
        "Zofia",
        "Brzęczyszczykiewicz",
        "brzeczyszczykiewicz",
        "Wąsowska",
        "zofia.b@example.pl",
        "601 234 567",
        "602 765 432",
        "Szczebrzeszyńska",
        "szczebrzeszynska",
    ];
    s.host.store().wait_for_checkpoint();
    let before = files(&database);
    for secret in secrets {
        assert!(holds(&before, secret), "the test looks for what is there: {secret}");
    }

    let (status, erased) = s.post("/api/customers/K-1/erase", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{erased}");
    assert_eq!((erased["number"].as_str(), erased["web_id"].as_str()), (Some("K-1"), Some(married.id.as_str())));
    assert_eq!((erased["customer"].as_u64(), erased["web_edit"].as_u64()), (Some(1), Some(1)), "{erased}");
    assert!(erased["outbox"].as_u64() >= Some(1) && erased["audit_pseudonymized"] == 1, "{erased}");

    let after = files(&database);
    for secret in secrets {
        assert_eq!(found(&after, secret), None, "{secret} is still in the database's bytes");
    }
    // What the till holds about K-1 now: the decision, without the person.
    let (status, export) = s.get("/api/customers/K-1/export").await;
    assert_eq!(status, StatusCode::OK, "{export}");
    assert_eq!(
        (&export["customer"], &export["web_edit"], &export["local_edit"]),
        (&Value::Null, &Value::Null, &Value::Null)
    );
    assert_eq!(export["outbox"], json!([]), "{export}");
    let audit = &export["audit"];
    assert_eq!(audit[0]["action"], "take-over-local", "{audit}");
    assert_eq!(audit[0]["before"]["web"]["last_name"], "[erased]", "{audit}");
    assert_eq!(audit[0]["before"]["local"]["email"], Value::Null, "{audit}");
    assert_eq!(s.post("/api/customers/K-404/erase", json!({})).await.0, StatusCode::NOT_FOUND);
    // Everyone else stays, found as before.
    let (_, kept) = s.get("/api/customers/K-2").await;
    assert_eq!(kept["last_name"], "Kowalski2");
    let query = SearchQuery { phrase: "Kowalski199".into(), filters: Vec::new(), include_inactive: false };
    let searched = s.host.store().search(&query, 10).await.unwrap();
    assert_eq!(searched.len(), 1);
}

/// The ERP removes a customer (its own erasure of the person): the next synchronization
/// erases what this till holds about them as an operator's erasure does, the edit made here
/// and already sent included, and records that the ERP asked.
#[tokio::test]
async fn a_removal_in_the_erps_feed_erases_the_person_here_too() {
    let zofia = AdminCustomer {
        fields: pos_tests::sim::CustomerFields {
            email: Some("zofia.b@example.pl".into()),
            phone: Some("+48 601 234 567".into()),
            ..AdminCustomer::new("K-1", "Zofia", "Brzęczyszczykiewicz").fields
        },
        ..AdminCustomer::new("K-1", "Zofia", "Brzęczyszczykiewicz")
    };
    let others = (2..50).map(|i| AdminCustomer::new(&format!("K-{i}"), "Jan", &format!("Kowalski{i}")));
    let s = Arc::new(serve_plain(Vec::new(), [zofia].into_iter().chain(others).collect()).await);
    let database = s.policy.parent().unwrap().join("pos.sqlite");
    let policy = std::fs::read_to_string(&s.policy).unwrap();
    std::fs::write(&s.policy, policy.replace("locale = \"en\"", "locale = \"en\"\ncustomers.mode = \"sync-all\""))
        .unwrap();
    assert_eq!(s.post("/api/reload", json!({})).await.1["outcome"], "applied");
    assert_eq!(s.sync().await["report"]["customers"]["listed"], 49);
    take_over_onto_k1(
        &s,
        WebCustomerFields {
            first_name: "Zofia".into(),
            last_name: "Wąsowska".into(),
            email: Some("zofia.b@example.pl".into()),
            ..WebCustomerFields::default()
        },
    )
    .await;
    // An edit made here and sent: its copy in the outbox, and the old row's in free space.
    let edit = Some(json!({ "phone": "+48 602 765 432" }));
    assert_eq!(s.call(Method::PATCH, "/api/customers/K-1", edit).await.0, StatusCode::OK);
    assert_eq!(s.sync().await["report"]["sent"], 1);
    let secrets = ["Brzęczyszczykiewicz", "brzeczyszczykiewicz", "Wąsowska", "zofia.b@example.pl", "602 765 432"];
    s.host.store().wait_for_checkpoint();
    let before = files(&database);
    for secret in secrets {
        assert!(holds(&before, secret), "the test looks for what is there: {secret}");
    }

    s.sim.delete_customer("K-1").await.unwrap();
    let synchronized = s.sync().await;
    assert_eq!(synchronized["error"], Value::Null, "{synchronized}");
    assert_eq!(synchronized["report"]["customers"]["removed"], 1, "{synchronized}");

    assert_eq!(s.get("/api/customers/K-1").await.0, StatusCode::NOT_FOUND);
    let after = files(&database);
    for secret in secrets {
        assert_eq!(found(&after, secret), None, "{secret} is still in the database's bytes");
    }
    let (status, export) = s.get("/api/customers/K-1/export").await;
    assert_eq!(status, StatusCode::OK, "{export}");
    assert_eq!((&export["customer"], &export["outbox"]), (&Value::Null, &json!([])), "{export}");
    assert_eq!(export["audit"][0]["before"]["local"]["last_name"], "[erased]", "{export}");
    let erasures: Vec<(String, Option<String>, String)> = s
        .host
        .store()
        .read(|conn| {
            conn.prepare("SELECT source, number, workstation FROM erasures")?
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                .collect()
        })
        .await
        .unwrap();
    assert_eq!(erasures, [("erp".to_owned(), Some("K-1".to_owned()), "POS-01".to_owned())]);
    let (_, kept) = s.get("/api/customers/K-2").await;
    assert_eq!(kept["last_name"], "Kowalski2");
}

/// The web shop deletes a registration (its own erasure of the person): reading the feed
/// erases what the till holds from it, as an operator's erasure does, records that the web
/// shop asked, and keeps only that it was deleted, so that the feed read again from its
/// start does not list it again.
#[tokio::test]
async fn a_deletion_in_the_web_shops_feed_erases_what_came_from_it() {
    let s = serve_plain(vec![customer(Some("K-1"), "Jan", "Kowalski")], Vec::new()).await;
    let database = s.policy.parent().unwrap().join("pos.sqlite");
    let web = s
        .sim
        .register_web_customer(WebCustomerFields {
            first_name: "Zofia".into(),
            last_name: "Wąsowska".into(),
            email: Some("zofia.w@example.pl".into()),
            phone: Some("+48 603 111 222".into()),
            ..WebCustomerFields::default()
        })
        .await
        .unwrap();
    assert_eq!(s.get("/api/web/edits").await.1["entries"][0]["customer"]["web_id"], web.id.as_str());
    // The operator removes it from the list: an audit entry about it.
    let (status, ignored) = s.post(&format!("/api/web/edits/{}/ignore", web.id), json!({})).await;
    assert_eq!((status, &ignored["outcome"]), (StatusCode::OK, &json!("applied")), "{ignored}");
    let secrets = ["Wąsowska", "zofia.w@example.pl", "603 111 222"];
    s.host.store().wait_for_checkpoint();
    let before = files(&database);
    for secret in secrets {
        assert!(holds(&before, secret), "the test looks for what is there: {secret}");
    }

    // A customer whose number is the web id: the web shop's feed names web customers only.
    s.host.store().save(customer(Some(&web.id), "Adam", "Numerowski")).await.unwrap();
    s.sim.delete_web_customer(&web.id).await.unwrap();
    let (status, list) = s.get("/api/web/edits").await;
    assert_eq!((status, &list["refreshed"]["gone"]), (StatusCode::OK, &json!(1)), "{list}");
    let after = files(&database);
    for secret in secrets {
        assert_eq!(found(&after, secret), None, "{secret} is still in the database's bytes");
    }
    let (status, export) = s.get(&format!("/api/customers/{}/export", web.id)).await;
    assert_eq!(status, StatusCode::OK, "{export}");
    assert_eq!(export["audit"][0]["action"], "ignore", "{export}");
    assert_eq!(export["audit"][0]["before"]["web"]["last_name"], "[erased]", "{export}");
    assert_eq!(export["web_edit"]["state"], "gone", "{export}");
    assert_eq!(export["web_edit"]["customer"]["last_name"], "[erased]", "{export}");
    let erasures: Vec<(String, Option<String>, Option<String>)> = s
        .host
        .store()
        .read(|conn| {
            conn.prepare("SELECT source, number, web_id FROM erasures")?
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                .collect()
        })
        .await
        .unwrap();
    assert_eq!(erasures, [("webshop".to_owned(), None, Some(web.id.clone()))]);

    s.sim.expire_webshop_cursors().await.unwrap();
    let (_, again) = s.get("/api/web/edits").await;
    assert_eq!(again["entries"], json!([]), "{again}");
    assert_eq!(s.get("/api/customers/K-1").await.1["last_name"], "Kowalski");
    assert_eq!(s.get(&format!("/api/customers/{}", web.id)).await.1["last_name"], "Numerowski");
}
