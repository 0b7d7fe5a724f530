#include "core/api/job_routes.h"

#include "core/api/json_body.h"

namespace certctl::api {

using domain::JobAction;

void registerJobRoutes(http::Router& router, services::JobControl& jobs) {
  for (JobAction action : {JobAction::Cancel, JobAction::Approve, JobAction::Reject}) {
    router.add("POST", std::string("/api/v1/jobs/{id}/") + domain::jobActionName(action),
               [&jobs, action](http::Request& req) {
                 auto job = jobs.apply(action, req.param("id"), parseOptionalJsonObject(req),
                                       {req.actor, req.requestId});
                 return http::Response::json(200, job);
               });
  }
}

}  // namespace certctl::api
