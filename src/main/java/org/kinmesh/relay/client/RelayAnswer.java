package org.kinmesh.relay.client;

import io.vertx.core.json.JsonObject;

/** A relay's HTTP answer: status and JSON body (for errors, {"error", "message"}). */
public record RelayAnswer(int status, JsonObject body) {
  public boolean ok() {
    return status >= 200 && status < 300;
  }

  public String errorCode() {
    return body == null ? null : body.getString("error");
  }
}
