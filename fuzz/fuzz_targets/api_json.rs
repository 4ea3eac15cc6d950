//! JSON API bodies: any bytes sent as the body of the main write operations are either
//! rejected by the DTO or converted into domain values (report figures checked against
//! the built-in template) without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tuanle_domain::template::Template;
use tuanle_web::api::dto::{
    figures_from_json, NewBodyRequest, NewCampaignRequest, NewUserRequest, ReviewRequest,
    SaveReportRequest, TokenRequest,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(req) = serde_json::from_slice::<SaveReportRequest>(data) {
        let template = Template::builtin_2021();
        let _ = figures_from_json(&template, &req.figures);
        let _ = figures_from_json(&template, &req.from_activities);
    }
    let _ = serde_json::from_slice::<ReviewRequest>(data);
    let _ = serde_json::from_slice::<NewCampaignRequest>(data);
    let _ = serde_json::from_slice::<NewUserRequest>(data);
    let _ = serde_json::from_slice::<NewBodyRequest>(data);
    let _ = serde_json::from_slice::<TokenRequest>(data);
});
