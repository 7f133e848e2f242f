//! `column_rank(customers_fts)`: how well a search match fits, from the columns its words
//! were found in.
//!
//! FTS5's `bm25()` first counts, for every word of the query, all the rows that hold it (its
//! weight in the score): 1 to 5 ms per query at a million customers, whatever the number of
//! matches (see docs/benchmarks.md). Every match holds every word anyway, so what orders
//! them is where the words were found: each word adds the weight of the best column it is
//! in, and the number and the last name weigh most, since the operator usually types one
//! of them. The positions it reads are the ones FTS5 already has for the match.

use rusqlite::{Connection, ffi};
use std::ffi::{c_int, c_void};
use std::ptr;

/// The weight of a word found in each column of `customers_fts`, in its column order:
/// number, first name, last name, company, tax id, email, phone, city, street, postal
/// code, country, extra.
const WEIGHTS: [f64; 12] = [10.0, 3.0, 6.0, 3.0, 4.0, 2.0, 2.0, 1.0, 0.5, 0.5, 0.2, 4.0];

/// Makes `column_rank` known to `connection`.
pub fn register(connection: &Connection) -> rusqlite::Result<()> {
    let failed = |rc: c_int| {
        rusqlite::Error::SqliteFailure(
            ffi::Error::new(rc),
            Some("the full-text index's ranking function could not be registered".into()),
        )
    };
    // SAFETY: the handle is `connection`'s own and outlives these calls; `api` is valid as
    // long as the connection.
    unsafe {
        let api = fts5_api(connection.handle()).map_err(failed)?;
        let create = (*api).xCreateFunction.ok_or_else(|| failed(ffi::SQLITE_ERROR))?;
        match create(api, c"column_rank".as_ptr(), ptr::null_mut(), Some(column_rank), None) {
            ffi::SQLITE_OK => Ok(()),
            rc => Err(failed(rc)),
        }
    }
}

/// FTS5's API table of `db`, asked for as its documentation says: `SELECT fts5(?1)` with
/// a pointer bound under the type name `fts5_api_ptr`, which FTS5 fills.
unsafe fn fts5_api(db: *mut ffi::sqlite3) -> Result<*mut ffi::fts5_api, c_int> {
    // SAFETY: `db` is an open connection; the statement is finalized before returning,
    // and `api`, which it writes through the bound pointer, outlives it.
    unsafe {
        let mut statement: *mut ffi::sqlite3_stmt = ptr::null_mut();
        let rc = ffi::sqlite3_prepare_v2(db, c"SELECT fts5(?1)".as_ptr(), -1, &mut statement, ptr::null_mut());
        if rc != ffi::SQLITE_OK {
            return Err(rc);
        }
        let mut api: *mut ffi::fts5_api = ptr::null_mut();
        let mut rc =
            ffi::sqlite3_bind_pointer(statement, 1, (&raw mut api).cast::<c_void>(), c"fts5_api_ptr".as_ptr(), None);
        if rc == ffi::SQLITE_OK && ffi::sqlite3_step(statement) != ffi::SQLITE_ROW {
            rc = ffi::sqlite3_errcode(db);
        }
        ffi::sqlite3_finalize(statement);
        match rc {
            ffi::SQLITE_OK if !api.is_null() => Ok(api),
            ffi::SQLITE_OK => Err(ffi::SQLITE_ERROR),
            rc => Err(rc),
        }
    }
}

/// The sum, over the query's words, of the weight of the best column each was found in.
/// Never panics: it is called from SQLite's C code.
unsafe extern "C" fn column_rank(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    context: *mut ffi::sqlite3_context,
    _arguments: c_int,
    _values: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: SQLite calls this with a valid API table and context for the current row.
    unsafe {
        let api = &*api;
        let (Some(phrase_count), Some(inst_count), Some(inst)) = (api.xPhraseCount, api.xInstCount, api.xInst) else {
            ffi::sqlite3_result_error_code(context, ffi::SQLITE_ERROR);
            return;
        };
        let mut best = vec![0.0_f64; usize::try_from(phrase_count(fts)).unwrap_or(0)];
        let mut instances: c_int = 0;
        let mut rc = inst_count(fts, &mut instances);
        for i in 0..instances {
            if rc != ffi::SQLITE_OK {
                break;
            }
            let (mut phrase, mut column, mut offset): (c_int, c_int, c_int) = (0, 0, 0);
            rc = inst(fts, i, &mut phrase, &mut column, &mut offset);
            let weight = usize::try_from(column).ok().and_then(|c| WEIGHTS.get(c)).copied().unwrap_or(0.0);
            if let Some(best) = usize::try_from(phrase).ok().and_then(|p| best.get_mut(p)) {
                *best = best.max(weight);
            }
        }
        if rc == ffi::SQLITE_OK {
            ffi::sqlite3_result_double(context, best.iter().sum());
        } else {
            ffi::sqlite3_result_error_code(context, rc);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_weigh_as_the_best_column_they_are_in() {
        let connection = Connection::open_in_memory().unwrap();
        register(&connection).unwrap();
        connection
            .execute_batch(
                "CREATE VIRTUAL TABLE customers_fts USING fts5 (number, first_name, last_name, company, tax_id,
                   email, phone, city, street, postal_code, country, extra);
                 INSERT INTO customers_fts (rowid, number, last_name, city) VALUES (1, 'k 7', 'nowak', 'kowal');
                 INSERT INTO customers_fts (rowid, number, last_name, street) VALUES (2, 'k 8', 'kowal', 'kowal');
                 INSERT INTO customers_fts (rowid, number, first_name, last_name) VALUES (3, 'kowal', 'jan', 'kowal');",
            )
            .unwrap();
        let ranks = |expression: &str| -> Vec<(i64, f64)> {
            let mut statement = connection
                .prepare("SELECT rowid, column_rank(customers_fts) FROM customers_fts WHERE customers_fts MATCH ?1")
                .unwrap();
            statement.query_map([expression], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
        };
        assert_eq!(ranks("kowal"), [(1, 1.0), (2, 6.0), (3, 10.0)]);
        assert_eq!(ranks("jan kowal"), [(3, 13.0)]);
        assert_eq!(ranks("k*"), [(1, 10.0), (2, 10.0), (3, 10.0)]);
    }
}
