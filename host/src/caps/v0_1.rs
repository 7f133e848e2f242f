//! The capabilities of plugins built against `pos:plugin@0.1.0`: the same answers as 0.2.0's,
//! in 0.1.0's types.

use super::CallCaps;
use crate::bindings::v0_1::caps::pos::plugin::{config, erp, local_db, log, ui};
use crate::bindings::{ConfigEntry, ConfigValue, Customer, Notice, SearchQuery};

impl local_db::Host for CallCaps {
    async fn search(&mut self, query: SearchQuery, limit: u32) -> Result<Vec<Customer>, local_db::DbError> {
        crate::bindings::local_db::Host::search(self, query, limit).await.map_err(Into::into)
    }

    async fn get(&mut self, number: String) -> Result<Option<Customer>, local_db::DbError> {
        crate::bindings::local_db::Host::get(self, number).await.map_err(Into::into)
    }

    async fn find_by_last_name(&mut self, last_name: String, limit: u32) -> Result<Vec<Customer>, local_db::DbError> {
        crate::bindings::local_db::Host::find_by_last_name(self, last_name, limit).await.map_err(Into::into)
    }
}

impl erp::Host for CallCaps {
    async fn online_search_enabled(&mut self) -> Result<bool, erp::ErpError> {
        crate::bindings::erp::Host::online_search_enabled(self).await.map_err(Into::into)
    }

    async fn search(&mut self, query: SearchQuery, limit: u32) -> Result<erp::ErpPage, erp::ErpError> {
        crate::bindings::erp::Host::search(self, query, limit).await.map(Into::into).map_err(Into::into)
    }

    async fn fetch(&mut self, number: String) -> Result<Option<Customer>, erp::ErpError> {
        crate::bindings::erp::Host::fetch(self, number).await.map_err(Into::into)
    }
}

impl ui::Host for CallCaps {
    async fn notify(&mut self, notice: Notice) {
        crate::bindings::ui::Host::notify(self, notice).await
    }

    async fn confirm(&mut self, notice: Notice, choices: Vec<ui::Choice>) -> Option<String> {
        let choices = choices.into_iter().map(Into::into).collect();
        crate::bindings::ui::Host::confirm(self, notice, choices).await
    }
}

impl log::Host for CallCaps {
    async fn log(&mut self, level: log::Level, message: String) {
        crate::bindings::log::Host::log(self, level.into(), message).await
    }
}

impl config::Host for CallCaps {
    async fn get(&mut self, key: String) -> Option<ConfigValue> {
        crate::bindings::config::Host::get(self, key).await
    }

    async fn entries(&mut self) -> Vec<ConfigEntry> {
        crate::bindings::config::Host::entries(self).await
    }
}
