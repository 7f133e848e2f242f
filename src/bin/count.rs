use rusqlite::{Connection, OpenFlags};
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let c = Connection::open_with_flags(&args[0], OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    for sql in &args[1..] {
        let v: i64 = c.query_row(sql, [], |r| r.get(0)).unwrap();
        println!("{v:>10}  {sql}");
    }
}
