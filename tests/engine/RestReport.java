// What the oracle answers: one JSON line, in the body and (for HEAD, whose body Tomcat drops)
// in the `X-Oracle` response header. All non-ASCII is written as \\uXXXX so the line is a valid
// header value.
//
// A resource method that ran answers
//   {"ran":ROUTE,"annotated":"GET"|"POST","method":JAX-RS method,"rawMethod":servlet method,
//    "engine":NAME|null,"list":BOOL,"taskQuery":BOOL,"firstResult":N|null,"maxResults":N|null,
//    "unbounded":BOOL,"effectiveMax":N|null,"exprNames":[...],"exprValues":[...],
//    "requestUri":..,"path":..}
// where `unbounded` and `effectiveMax` follow Camunda's QueryUtil.list (and
// FilterResourceImpl.executeFilterList): neither firstResult nor maxResults given -> query.list()
// (unbounded); only firstResult -> listPage(firstResult, Integer.MAX_VALUE) (unbounded); otherwise
// listPage(firstResult or 0, maxResults).
//
// Expressions (TaskQueryDto, camunda7.md section 5): `exprNames` holds every parameter the
// resource reads whose name ends in `Expression` exactly as written (Camunda's
// AbstractSearchQueryDto matches @CamundaQueryParam names with String.equals, and every
// expression parameter's name ends so), `exprValues` every parameter read whose value holds `${`
// or `#{`. The query string is read as Camunda's DTOs read it: UriInfo.getQueryParameters()
// (decoded), first value of each name (AbstractSearchQueryDto's constructor). A JSON body is read
// with Jackson's streaming parser (what JacksonJsonProvider reads with; Camunda's
// JacksonConfigurator only relaxes unknown properties and dates): every member name whose value
// is not null, and every string value, at any depth, duplicates included. That is deliberately more than Camunda binds (it
// ignores unknown members), so the oracle errs towards "the engine saw an expression".
//
// A refusal by RESTEasy answers {"unmatched":STATUS,"kind":EXCEPTION,"why":MESSAGE}.

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.servlet.http.HttpServletRequest;
import javax.ws.rs.core.MultivaluedMap;
import javax.ws.rs.core.Request;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.UriInfo;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

public final class RestReport {

  private RestReport() {}

  private static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** What a route is to the engine. */
  public static final class Kind {
    final String route;
    final boolean list;
    final boolean taskQuery;

    public Kind(String route, boolean list, boolean taskQuery) {
      this.route = route;
      this.list = list;
      this.taskQuery = taskQuery;
    }
  }

  /** The request as the resource method saw it. */
  public static final class Seen {
    final UriInfo ui;
    final Request request;
    final HttpServletRequest servlet;

    public Seen(UriInfo ui, Request request, HttpServletRequest servlet) {
      this.ui = ui;
      this.request = request;
      this.servlet = servlet;
    }
  }

  static boolean isExpressionName(String name) {
    return name.length() > "Expression".length() && name.endsWith("Expression");
  }

  static boolean opensExpression(String value) {
    return value != null && (value.contains("${") || value.contains("#{"));
  }

  /**
   * A resource method ran. `annotated` is the HTTP method annotation of the method that ran;
   * `readsQuery` whether it builds a query DTO from the query string; `body` the JSON body it
   * reads as a query (null when it reads none); `paged` whether it binds firstResult/maxResults.
   */
  public static Response ran(
      Kind kind,
      String annotated,
      Seen seen,
      String engine,
      boolean paged,
      Integer firstResult,
      Integer maxResults,
      boolean readsQuery,
      byte[] body) {
    List<String> exprNames = new ArrayList<>();
    List<String> exprValues = new ArrayList<>();
    if (readsQuery) {
      MultivaluedMap<String, String> params = seen.ui.getQueryParameters();
      for (Map.Entry<String, List<String>> e : params.entrySet()) {
        String first = e.getValue().isEmpty() ? null : e.getValue().get(0);
        if (isExpressionName(e.getKey())) {
          exprNames.add("query:" + e.getKey());
        }
        if (opensExpression(first)) {
          exprValues.add("query:" + e.getKey());
        }
      }
    }
    if (body != null && body.length > 0) {
      try (JsonParser p = MAPPER.getFactory().createParser(body)) {
        JsonToken t;
        while ((t = p.nextToken()) != null) {
          if (t == JsonToken.FIELD_NAME && isExpressionName(p.getCurrentName())) {
            // TaskQueryDto.applyFilters applies an expression only when the member is not
            // null (`if (assigneeExpression != null) query.taskAssigneeExpression(...)`).
            String name = p.getCurrentName();
            if (p.nextToken() != JsonToken.VALUE_NULL) {
              exprNames.add("body:" + name);
            }
            if (p.currentToken() == JsonToken.VALUE_STRING && opensExpression(p.getText())) {
              exprValues.add("body:" + name);
            }
          } else if (t == JsonToken.VALUE_STRING && opensExpression(p.getText())) {
            exprValues.add("body:" + p.getCurrentName());
          }
        }
      } catch (IOException e) {
        // Camunda's JsonParseExceptionHandler / JsonMappingExceptionHandler: 400.
        return refusal(400, "JsonParseException", e.getMessage());
      }
    }
    boolean unbounded = false;
    Integer effectiveMax = null;
    if (kind.list && paged) {
      if (firstResult == null && maxResults == null) {
        unbounded = true;
      } else if (maxResults == null) {
        unbounded = true;
        effectiveMax = Integer.MAX_VALUE;
      } else {
        effectiveMax = maxResults;
      }
    } else if (kind.list) {
      unbounded = true;
    }
    StringBuilder out = new StringBuilder(256);
    out.append("{\"ran\":");
    str(out, kind.route);
    out.append(",\"annotated\":");
    str(out, annotated);
    out.append(",\"method\":");
    str(out, seen.request.getMethod());
    out.append(",\"rawMethod\":");
    str(out, seen.servlet.getMethod());
    out.append(",\"engine\":");
    str(out, engine);
    out.append(",\"list\":").append(kind.list);
    out.append(",\"taskQuery\":").append(kind.taskQuery);
    out.append(",\"firstResult\":").append(firstResult);
    out.append(",\"maxResults\":").append(maxResults);
    out.append(",\"unbounded\":").append(unbounded);
    out.append(",\"effectiveMax\":").append(effectiveMax);
    out.append(",\"exprNames\":");
    strs(out, exprNames);
    out.append(",\"exprValues\":");
    strs(out, exprValues);
    out.append(",\"requestUri\":");
    str(out, seen.servlet.getRequestURI());
    out.append(",\"path\":");
    str(out, seen.ui.getPath());
    out.append('}');
    return answer(200, out.toString());
  }

  public static Response refusal(int status, String kind, String why) {
    StringBuilder out = new StringBuilder(128);
    out.append("{\"unmatched\":").append(status).append(",\"kind\":");
    str(out, kind);
    out.append(",\"why\":");
    str(out, why == null ? "" : (why.length() > 300 ? why.substring(0, 300) : why));
    out.append('}');
    return answer(status, out.toString());
  }

  private static Response answer(int status, String json) {
    return Response.status(status)
        .header("X-Oracle", json)
        .type("application/json")
        .entity(json + "\n")
        .build();
  }

  private static void strs(StringBuilder out, List<String> values) {
    out.append('[');
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      str(out, values.get(i));
    }
    out.append(']');
  }

  private static void str(StringBuilder out, String s) {
    if (s == null) {
      out.append("null");
      return;
    }
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c >= 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }
}
