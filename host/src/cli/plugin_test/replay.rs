//! A case's `calls`: the capability calls a recorded hook call made and what each answered
//! (see `pos_host::recording`). Replayed, a plugin's capability call gets the answer of the
//! first recorded call not yet used with the same function and arguments; a call the
//! recording has no answer for fails as unavailable, and the case fails with it, since the
//! candidate asked something the till was never asked.

use pos_host::bindings::erp::{ErpError, ErpPage};
use pos_host::bindings::local_db::DbError;
use pos_host::bindings::ui::Choice;
use pos_host::bindings::{Customer, Notice, SearchQuery};
use pos_host::cases::node::{self, Node, Value};
use pos_host::cases::wit::{Problem, Shown, Wit, join, names, problem, record_entries};

/// A capability function a recording holds calls of, and its parameters.
struct Function {
    name: &'static str,
    params: &'static [&'static str],
}

const FUNCTIONS: [Function; 8] = [
    Function { name: "local-db.search", params: &["query", "limit"] },
    Function { name: "local-db.get", params: &["number"] },
    Function { name: "local-db.find-by-last-name", params: &["last-name", "limit"] },
    Function { name: "erp.online-search-enabled", params: &[] },
    Function { name: "erp.search", params: &["query", "limit"] },
    Function { name: "erp.fetch", params: &["number"] },
    Function { name: "ui.notify", params: &["notice"] },
    Function { name: "ui.confirm", params: &["notice", "choices"] },
];

/// What a recorded call answered.
#[derive(Clone, Debug)]
pub enum Answer {
    Customers(Result<Vec<Customer>, DbError>),
    Customer(Result<Option<Customer>, DbError>),
    Enabled(Result<bool, ErpError>),
    Page(Result<ErpPage, ErpError>),
    Fetched(Result<Option<Customer>, ErpError>),
    Notified,
    Confirmed(Option<String>),
}

/// One recorded capability call.
#[derive(Clone, Debug)]
pub struct RecordedCall {
    pub function: &'static str,
    /// The arguments as a record of their WIT names.
    pub args: Shown,
    pub answer: Answer,
}

/// The arguments of a call, as a recorded call's are compared.
pub fn args(values: Vec<(&str, Shown)>) -> Shown {
    Shown::Record(values.into_iter().map(|(name, value)| (name.to_owned(), value)).collect())
}

/// `local-db.search(query = { ... }, limit = 10)`.
pub fn describe(function: &str, args: &Shown) -> String {
    let Shown::Record(fields) = args else { return format!("{function}({})", args.toml()) };
    let args: Vec<String> = fields.iter().map(|(name, value)| format!("{name} = {}", value.toml())).collect();
    format!("{function}({})", args.join(", "))
}

/// Reads the `calls` array of a case.
pub fn read(node: &Node, path: &str) -> Result<Vec<RecordedCall>, Problem> {
    let Value::Array(items) = &node.value else {
        return Err(problem(node, path, format!("expected an array of recorded calls, found {}", node.kind())));
    };
    items.iter().enumerate().map(|(i, item)| read_call(item, &format!("{path}[{i}]"))).collect()
}

fn read_call(node: &Node, path: &str) -> Result<RecordedCall, Problem> {
    let keys = ["call".to_owned(), "args".to_owned(), "answer".to_owned()];
    let entries = record_entries(node, path, "a recorded call", &keys)?;
    let call_node = node::get(entries, "call").map(|entry| &entry.node).ok_or_else(|| {
        problem(node, &join(path, "call"), "missing; a recorded call has a `call`, `args` and an `answer`")
    })?;
    let name = String::read(call_node, &join(path, "call"))?;
    let function = FUNCTIONS.iter().find(|function| function.name == name).ok_or_else(|| {
        let known: Vec<&str> = FUNCTIONS.iter().map(|function| function.name).collect();
        problem(
            call_node,
            &join(path, "call"),
            format!("unknown capability function `{name}`; expected one of {}", names(&known)),
        )
    })?;
    let args_path = join(path, "args");
    let params: Vec<String> = function.params.iter().map(|p| p.to_string()).collect();
    let empty = Node { value: Value::Table(Vec::new()), span: node.span.clone() };
    let args_node = node::get(entries, "args").map_or(&empty, |entry| &entry.node);
    let arg_entries = record_entries(args_node, &args_path, &format!("the arguments of {name}"), &params)?;
    let arg = |param: &str| -> Result<&Node, Problem> {
        node::get(arg_entries, param).map(|entry| &entry.node).ok_or_else(|| {
            problem(args_node, &join(&args_path, param), format!("missing; {name} takes {}", names(function.params)))
        })
    };
    fn shown<T: Wit>(node: &Node, path: &str) -> Result<Shown, Problem> {
        T::read(node, path).map(|value| value.show())
    }
    let mut values = Vec::new();
    for param in function.params {
        let at = join(&args_path, param);
        let value = match *param {
            "query" => shown::<SearchQuery>(arg(param)?, &at)?,
            "limit" => shown::<u32>(arg(param)?, &at)?,
            "notice" => shown::<Notice>(arg(param)?, &at)?,
            "choices" => shown::<Vec<Choice>>(arg(param)?, &at)?,
            _ => shown::<String>(arg(param)?, &at)?,
        };
        values.push((*param, value));
    }
    let answer_path = join(path, "answer");
    let answer_node = node::get(entries, "answer").map(|entry| &entry.node);
    fn answer<T: Wit>(node: Option<&Node>, path: &str) -> Result<T, Problem> {
        node.map_or_else(|| Ok(T::zero()), |node| T::read(node, path))
    }
    let answer = match function.name {
        "local-db.search" | "local-db.find-by-last-name" => Answer::Customers(answer(answer_node, &answer_path)?),
        "local-db.get" => Answer::Customer(answer(answer_node, &answer_path)?),
        "erp.online-search-enabled" => Answer::Enabled(answer(answer_node, &answer_path)?),
        "erp.search" => Answer::Page(answer(answer_node, &answer_path)?),
        "erp.fetch" => Answer::Fetched(answer(answer_node, &answer_path)?),
        "ui.notify" => Answer::Notified,
        _ => Answer::Confirmed(answer(answer_node, &answer_path)?),
    };
    Ok(RecordedCall { function: function.name, args: args(values), answer })
}
