//! The Tryton server the ERP connectors are proven against (`pos_tests::tryton`): parties with
//! a category, contact mechanisms and addresses go in and come back over JSON-RPC, and what the
//! server does with Polish letters and failed logins is pinned here, since the connector will
//! have to live with it.

use pos_tests::tryton::{ADMIN, Tryton, TrytonError};
use serde_json::{Value, json};

#[tokio::test]
async fn parties_go_in_and_come_back_by_category() {
    let tryton = Tryton::start().await;
    let category = tryton.call("model.party.category.create", json!([[{"name": "Customer tagged"}], {}])).await;
    let category = category.unwrap()[0].as_i64().unwrap();
    let parties = json!([[
        {
            "name": "Łukasz Kowalski",
            "contact_mechanisms": [["create", [{"type": "email", "value": "lukasz.kowalski@example.pl"}]]],
            "addresses": [["create", [{"street_unstructured": "ul. Długa 5", "postal_code": "80-831", "city": "Gdańsk"}]]],
        },
        {"name": "Anna Nowak", "categories": [["add", [category]]]},
    ], {}]);
    let ids = tryton.call("model.party.party.create", parties).await.unwrap();
    let (lukasz, anna) = (ids[0].as_i64().unwrap(), ids[1].as_i64().unwrap());

    let fields = json!(["name", "active", "categories", "email", "addresses.city"]);
    let tagged = tryton
        .call("model.party.party.search_read", json!([[["categories", "=", category]], 0, null, null, fields, {}]))
        .await
        .unwrap();
    let tagged = tagged.as_array().unwrap();
    assert_eq!(tagged.len(), 1, "{tagged:?}");
    assert_eq!(tagged[0]["id"], anna);
    assert_eq!(tagged[0]["name"], "Anna Nowak");
    assert_eq!(tagged[0]["categories"], json!([category]));
    // SQLite has no boolean: trytond answers 1, where PostgreSQL would answer true.
    assert_eq!(tagged[0]["active"], 1);

    let read = tryton.call("model.party.party.read", json!([[lukasz], fields, {}])).await.unwrap();
    assert_eq!(read[0]["name"], "Łukasz Kowalski");
    assert_eq!(read[0]["email"], "lukasz.kowalski@example.pl");
    assert_eq!(read[0]["addresses."][0]["city"], "Gdańsk");

    // `ilike` folds only ASCII letters on SQLite: the ERP search must not count on it for
    // Polish names. "ŁUKASZ" finds "Łukasz" (Ł itself matches, the rest folds) but "łukasz"
    // does not (ł is not folded to Ł), nor does "lukasz" (no letter loses its diacritic).
    // The connector will have to fold names itself or query every spelling.
    let mut found = Vec::new();
    for pattern in ["%kowalski%", "%KOWALSKI%", "%ŁUKASZ%", "%Łukasz%", "%łukasz%", "%lukasz%"] {
        let names = tryton
            .call("model.party.party.search_read", json!([[["name", "ilike", pattern]], 0, null, null, ["name"], {}]))
            .await
            .unwrap();
        if names.as_array().unwrap().iter().any(|party| party["name"] == "Łukasz Kowalski") {
            found.push(pattern);
        }
    }
    assert_eq!(found, ["%kowalski%", "%KOWALSKI%", "%ŁUKASZ%", "%Łukasz%"]);

    // A business error comes with HTTP 200, as an `error` member.
    let missing = tryton.call("model.party.party.write", json!([[999_999], {"name": "Nobody"}, {}])).await;
    match missing {
        Err(error @ TrytonError::Server { .. }) => {
            assert!(matches!(&error, TrytonError::Server { kind, .. } if kind == "UserError"), "{error}");
            assert!(error.message().is_some_and(|message| message.contains("don't exist")), "{error}");
        }
        other => panic!("writing a missing party answered {other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_a_clear_error() {
    // A server of its own: each failed login slows down the later ones on the same server.
    let tryton = Tryton::start_unauthenticated().await;
    let refused = tryton.login(ADMIN, "not the password").await;
    match refused {
        Err(error @ TrytonError::Status(status)) => {
            assert_eq!(status, 401);
            assert_eq!(error.to_string(), "Tryton answered HTTP 401 Unauthorized");
        }
        other => panic!("a wrong password answered {other:?}\n{}", tryton.log()),
    }
    let unknown: Result<Value, _> = tryton.call("model.party.party.search", json!([[], 0, null, null, {}])).await;
    assert!(matches!(unknown, Err(TrytonError::Status(status)) if status == 401), "{unknown:?}");
}
