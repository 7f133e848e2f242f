//! The API's OpenAPI document from a client's side: the pinned openapi-spec-validator that
//! `cargo xtask openapi-validator` installs checks the document itself (a program its authors
//! did not write, since one of their own would share their misreadings of the
//! specification), and [`Contract`] checks each answer a test receives against it.

use crate::root;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

/// The validator program; a test needing it fails, never skips, when it was not installed.
pub fn validator() -> PathBuf {
    let program = root().join("target/openapi-validator/bin/openapi-spec-validator");
    assert!(
        program.is_file(),
        "{} is missing: install it with `cargo xtask openapi-validator`; `cargo xtask test` installs it before \
         the tests",
        program.display()
    );
    program
}

/// Checks an OpenAPI document (JSON or YAML text) against the version of the specification it
/// names; a rejection carries what the validator printed.
pub fn validate(document: &str) -> Result<(), String> {
    let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
    file.write_all(document.as_bytes()).expect("the document is written");
    let program = validator();
    let output = Command::new(&program)
        .arg(file.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{} rejected the document ({}):\n{}{}",
        program.display(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}

/// The API's OpenAPI document, as a client reads it: the operation a request names, and
/// whether an answer is one the document says that operation gives.
pub struct Contract {
    document: Value,
    /// Compiled schemas, by their pointer into the document.
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl Contract {
    /// The document the host makes, shared by every test of this process.
    pub fn host() -> &'static Contract {
        static CONTRACT: OnceLock<Contract> = OnceLock::new();
        CONTRACT.get_or_init(|| {
            Contract::of(serde_json::to_value(pos_host::serve::openapi()).expect("the document is JSON"))
        })
    }

    pub fn of(document: Value) -> Contract {
        Contract { document, validators: Mutex::default() }
    }

    /// The documented path template `path` (without its query) falls under, such as
    /// `/api/customers/{number}` for `/api/customers/C-1`.
    pub fn template(&self, path: &str) -> Option<&str> {
        let path = path.split('?').next().unwrap_or(path);
        let segments: Vec<&str> = path.split('/').collect();
        let paths = self.document["paths"].as_object()?;
        let matches = |template: &str| {
            let parts: Vec<&str> = template.split('/').collect();
            parts.len() == segments.len()
                && parts.iter().zip(&segments).all(|(part, segment)| part.starts_with('{') || part == segment)
        };
        // A literal segment wins over a parameter, as in the router.
        let literal = |template: &&String| template.split('/').filter(|part| !part.starts_with('{')).count();
        paths.keys().filter(|template| matches(template)).max_by_key(literal).map(String::as_str)
    }

    /// Whether `body` (`Null` for an empty answer, a string for one that is not JSON) is an
    /// answer the document allows to `method` at `path` with `status`: the status (or
    /// `default`) of a documented operation, with a JSON body matching its schema; at a path
    /// or with a method the document does not name, a `404` or `405` refusal.
    pub fn check(&self, method: &str, path: &str, status: u16, body: &Value) -> Result<(), String> {
        let method = method.to_ascii_lowercase();
        let operation = self.template(path).map(|template| (template, &self.document["paths"][template][&method]));
        let Some((template, operation)) = operation.filter(|(_, operation)| !operation.is_null()) else {
            if status != 404 && status != 405 {
                return Err(format!("{method} {path} is not in the OpenAPI document, yet was answered {status}"));
            }
            return self.matches("#/components/schemas/ApiError", &method, path, status, body);
        };
        let code = status.to_string();
        let documented = if operation["responses"][&code].is_null() { "default" } else { code.as_str() };
        let response = &operation["responses"][documented];
        if response.is_null() {
            return Err(format!("{method} {template} does not document the status {status}"));
        }
        let json = &response["content"]["application/json"];
        match (json.is_null(), body) {
            (true, Value::Null) => Ok(()),
            (true, Value::String(_)) if response["content"].is_object() => Ok(()),
            (true, _) => Err(format!("{method} {template} {status} is documented without a JSON body, got {body}")),
            (false, Value::Null) => {
                Err(format!("{method} {template} {status} is documented with a JSON body, got none"))
            }
            (false, _) => {
                // A JSON pointer in a URI fragment: `~` and `/` escaped, then the braces.
                let escape =
                    |part: &str| part.replace('~', "~0").replace('/', "~1").replace('{', "%7B").replace('}', "%7D");
                let pointer = format!(
                    "#/paths/{}/{method}/responses/{documented}/content/{}/schema",
                    escape(template),
                    escape("application/json")
                );
                self.matches(&pointer, &method, path, status, body)
            }
        }
    }

    /// Whether `body` matches the schema at `pointer`.
    fn matches(&self, pointer: &str, method: &str, path: &str, status: u16, body: &Value) -> Result<(), String> {
        let validator = self.validator(pointer)?;
        let errors: Vec<String> =
            validator.iter_errors(body).map(|error| format!("at `{}`: {error}", error.instance_path())).collect();
        if errors.is_empty() {
            return Ok(());
        }
        Err(format!(
            "{method} {path} {status} does not match {pointer}:\n  {}\nthe answer: {body}",
            errors.join("\n  ")
        ))
    }

    /// The schema at `pointer`, compiled with the whole document as its root so that its
    /// references resolve.
    fn validator(&self, pointer: &str) -> Result<Arc<jsonschema::Validator>, String> {
        if let Some(validator) = self.validators.lock().unwrap().get(pointer) {
            return Ok(validator.clone());
        }
        let mut schema = self.document.clone();
        schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
        schema["$ref"] = json!(pointer);
        let validator = jsonschema::draft202012::options()
            .build(&schema)
            .map_err(|error| format!("the schema at {pointer} does not compile: {error}"))?;
        let validator = Arc::new(validator);
        self.validators.lock().unwrap().insert(pointer.to_owned(), validator.clone());
        Ok(validator)
    }

    /// Every operation the document names: `(path template, method)`.
    pub fn operations(&self) -> BTreeSet<(String, String)> {
        let mut operations = BTreeSet::new();
        for (template, item) in self.document["paths"].as_object().into_iter().flatten() {
            for method in ["get", "put", "post", "delete", "patch", "head", "options", "trace"] {
                if item.get(method).is_some() {
                    operations.insert((template.clone(), method.to_owned()));
                }
            }
        }
        operations
    }
}

/// Every `(path template, method)` `router` answers, read from what the router prints of
/// itself (axum keeps its routes private): `HEAD`, which axum answers wherever `GET` is,
/// left out.
pub fn served_routes(router: &axum::Router) -> BTreeSet<(String, String)> {
    let printed = format!("{router:?}");
    // The route table comes first; the fallback router's follows `fallback_router`.
    let table = printed.split("fallback_router").next().unwrap_or_default();
    let mut methods: HashMap<&str, Vec<String>> = HashMap::new();
    for route in table.split("RouteId(").skip(1) {
        let Some((id, rest)) = route.split_once(')') else { continue };
        if let Some(allowed) = rest.split("allow_header: Bytes(b\"").nth(1) {
            let allowed = allowed.split('"').next().unwrap_or_default();
            methods.insert(id, allowed.split(',').filter(|m| *m != "HEAD").map(str::to_ascii_lowercase).collect());
        }
    }
    let paths = table.split("paths: {").nth(1).unwrap_or_default();
    let mut routes = BTreeSet::new();
    for entry in paths.split("RouteId(").skip(1) {
        let Some((id, rest)) = entry.split_once("): \"") else { continue };
        let path = rest.split('"').next().unwrap_or_default();
        for method in methods.get(id).into_iter().flatten() {
            routes.insert((path.to_owned(), method.clone()));
        }
    }
    routes
}
