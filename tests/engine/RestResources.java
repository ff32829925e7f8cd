// Resources laid out like Camunda 7's engine-rest (camunda-bpm-platform 3dd653fe66d3,
// engine-rest/engine-rest/src/main/java/org/camunda/bpm/engine/rest/):
// - DefaultProcessEngineRestServiceImpl: root `@Path("")` with sub-resource locators
//   `@Path("/task")`, `@Path("/process-instance")`, `@Path("/history")`, ... for the default
//   engine;
// - NamedProcessEngineRestServiceImpl: root `@Path("/engine")` with locators
//   `@Path("/{name}/task")`, ... for a named engine (`@GET` lists the engine names);
// - each *RestService: the list as `@GET` (no @Path) binding `@QueryParam("firstResult") Integer`
//   and `@QueryParam("maxResults") Integer` plus a query DTO built from
//   UriInfo.getQueryParameters(); where Camunda has one, the JSON query as `@POST`
//   `@Consumes(APPLICATION_JSON)` with paging still from the query string; `@GET @Path("/count")`
//   and `@POST @Path("/count")`; `@Path("/{id}")` locating one item (a non-list resource);
// - HistoryRestService: `@Path("/history")` locating `@Path("/process-instance")`;
// - FilterRestService / FilterResource: `/filter/{id}` with `@GET`/`@POST @Path("/list")` (list,
//   the stored task query plus, for POST, an extending query in the body), `/count`,
//   `/singleResult`.
// Only the layout, the annotations and what each method reads are mirrored; no engine runs.

import javax.servlet.http.HttpServletRequest;
import javax.ws.rs.Consumes;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.Request;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.UriInfo;

public class RestResources {

  /** DefaultProcessEngineRestServiceImpl (`PATH = ""`). */
  @Path("")
  public static class DefaultEngine {
    @Path("/task")
    public Object task() {
      return new TaskService(null);
    }

    @Path("/process-instance")
    public Object processInstance() {
      return new QueryList("process-instance", null, false);
    }

    @Path("/history")
    public Object history() {
      return new History(null);
    }

    @Path("/filter")
    public Object filter() {
      return new FilterService(null);
    }

    @Path("/deployment")
    public Object deployment() {
      return new DeploymentService(null);
    }

    @Path("/job")
    public Object job() {
      return new QueryList("job", null, false);
    }

    @Path("/variable-instance")
    public Object variableInstance() {
      return new QueryList("variable-instance", null, false);
    }
  }

  /** NamedProcessEngineRestServiceImpl (`PATH = "/engine"`, locators `/{name}/...`). */
  @Path("/engine")
  public static class NamedEngine {
    @GET
    public Response names(
        @Context UriInfo ui, @Context Request rq, @Context HttpServletRequest sr) {
      return RestReport.ran(
          new RestReport.Kind("engine.names", false, false),
          "GET", new RestReport.Seen(ui, rq, sr), null, false, null, null, false, null);
    }

    @Path("/{name}/task")
    public Object task(@PathParam("name") String name) {
      return new TaskService(name);
    }

    @Path("/{name}/process-instance")
    public Object processInstance(@PathParam("name") String name) {
      return new QueryList("process-instance", name, false);
    }

    @Path("/{name}/history")
    public Object history(@PathParam("name") String name) {
      return new History(name);
    }

    @Path("/{name}/filter")
    public Object filter(@PathParam("name") String name) {
      return new FilterService(name);
    }

    @Path("/{name}/deployment")
    public Object deployment(@PathParam("name") String name) {
      return new DeploymentService(name);
    }

    @Path("/{name}/job")
    public Object job(@PathParam("name") String name) {
      return new QueryList("job", name, false);
    }

    @Path("/{name}/variable-instance")
    public Object variableInstance(@PathParam("name") String name) {
      return new QueryList("variable-instance", name, false);
    }
  }

  /** HistoryRestService. */
  public static class History {
    final String engine;

    History(String engine) {
      this.engine = engine;
    }

    @Path("/process-instance")
    public Object processInstance() {
      return new QueryList("history/process-instance", engine, false);
    }
  }

  /** A list resource with GET only (`DeploymentRestService`, `FilterRestService`). */
  public static class GetList {
    final String base;
    final String engine;
    final boolean task;

    GetList(String base, String engine, boolean task) {
      this.base = base;
      this.engine = engine;
      this.task = task;
    }

    RestReport.Kind kind(String what, boolean list, boolean taskQuery) {
      return new RestReport.Kind(base + "." + what, list, taskQuery);
    }

    @GET
    public Response list(
        @Context UriInfo ui,
        @Context Request rq,
        @Context HttpServletRequest sr,
        @QueryParam("firstResult") Integer firstResult,
        @QueryParam("maxResults") Integer maxResults) {
      return RestReport.ran(
          kind("list", true, task), "GET", new RestReport.Seen(ui, rq, sr), engine,
          true, firstResult, maxResults, true, null);
    }

    @GET
    @Path("/count")
    public Response count(
        @Context UriInfo ui, @Context Request rq, @Context HttpServletRequest sr) {
      return RestReport.ran(
          kind("count", false, task), "GET", new RestReport.Seen(ui, rq, sr), engine,
          false, null, null, true, null);
    }

    @Path("/{id}")
    public Object item(@PathParam("id") String id) {
      return new Item(base, engine, id);
    }
  }

  /** A list resource with a JSON query as POST too (`TaskRestService`, `JobRestService`, ...). */
  public static class QueryList extends GetList {
    QueryList(String base, String engine, boolean task) {
      super(base, engine, task);
    }

    @POST
    @Consumes("application/json")
    public Response query(
        byte[] body,
        @Context UriInfo ui,
        @Context Request rq,
        @Context HttpServletRequest sr,
        @QueryParam("firstResult") Integer firstResult,
        @QueryParam("maxResults") Integer maxResults) {
      return RestReport.ran(
          kind("list", true, task), "POST", new RestReport.Seen(ui, rq, sr), engine,
          true, firstResult, maxResults, false, body);
    }

    @POST
    @Path("/count")
    @Consumes("application/json")
    public Response queryCount(
        byte[] body, @Context UriInfo ui, @Context Request rq, @Context HttpServletRequest sr) {
      return RestReport.ran(
          kind("count", false, task), "POST", new RestReport.Seen(ui, rq, sr), engine,
          false, null, null, false, body);
    }
  }

  /** TaskRestService: task queries carry expressions. */
  public static class TaskService extends QueryList {
    TaskService(String engine) {
      super("task", engine, true);
    }

    @POST
    @Path("/create")
    @Consumes("application/json")
    public Response create(
        byte[] body, @Context UriInfo ui, @Context Request rq, @Context HttpServletRequest sr) {
      return RestReport.ran(
          kind("create", false, false), "POST", new RestReport.Seen(ui, rq, sr), engine,
          false, null, null, false, null);
    }
  }

  /** DeploymentRestService: GET list only; POST /create takes a multipart body. */
  public static class DeploymentService extends GetList {
    DeploymentService(String engine) {
      super("deployment", engine, false);
    }

    @POST
    @Path("/create")
    @Consumes("multipart/form-data")
    public Response create(
        byte[] body, @Context UriInfo ui, @Context Request rq, @Context HttpServletRequest sr) {
      return RestReport.ran(
          kind("create", false, false), "POST", new RestReport.Seen(ui, rq, sr), engine,
          false, null, null, false, null);
    }
  }

  /** FilterRestService: `/filter/{id}` locates a FilterResource. */
  public static class FilterService extends GetList {
    FilterService(String engine) {
      super("filter", engine, false);
    }

    @Override
    public Object item(String id) {
      return new FilterItem(engine, id);
    }
  }

  /** One item of a list resource (TaskResource, ProcessInstanceResource, ...): not a list. */
  public static class Item {
    final String base;
    final String engine;
    final String id;

    Item(String base, String engine, String id) {
      this.base = base;
      this.engine = engine;
      this.id = id;
    }

    @GET
    public Response get(
        @Context UriInfo ui, @Context Request rq, @Context HttpServletRequest sr) {
      return RestReport.ran(
          new RestReport.Kind(base + ".item", false, false), "GET",
          new RestReport.Seen(ui, rq, sr), engine, false, null, null, false, null);
    }
  }

  /** FilterResource: a stored task query, run with paging, optionally extended by a body. */
  public static class FilterItem {
    final String engine;
    final String id;

    FilterItem(String engine, String id) {
      this.engine = engine;
      this.id = id;
    }

    private static RestReport.Kind kind(String what, boolean list, boolean taskQuery) {
      return new RestReport.Kind("filter." + what, list, taskQuery);
    }

    @GET
    public Response get(
        @Context UriInfo ui, @Context Request rq, @Context HttpServletRequest sr) {
      return RestReport.ran(
          kind("item", false, false), "GET", new RestReport.Seen(ui, rq, sr), engine,
          false, null, null, false, null);
    }

    // FilterResource.executeList reads only the paging parameters of the query string.
    @GET
    @Path("/list")
    public Response list(
        @Context UriInfo ui,
        @Context Request rq,
        @Context HttpServletRequest sr,
        @QueryParam("firstResult") Integer firstResult,
        @QueryParam("maxResults") Integer maxResults) {
      return RestReport.ran(
          kind("list", true, true), "GET", new RestReport.Seen(ui, rq, sr), engine,
          true, firstResult, maxResults, false, null);
    }

    @POST
    @Path("/list")
    @Consumes("application/json")
    public Response queryList(
        byte[] body,
        @Context UriInfo ui,
        @Context Request rq,
        @Context HttpServletRequest sr,
        @QueryParam("firstResult") Integer firstResult,
        @QueryParam("maxResults") Integer maxResults) {
      return RestReport.ran(
          kind("list", true, true), "POST", new RestReport.Seen(ui, rq, sr), engine,
          true, firstResult, maxResults, false, body);
    }

    @GET
    @Path("/count")
    public Response count(
        @Context UriInfo ui, @Context Request rq, @Context HttpServletRequest sr) {
      return RestReport.ran(
          kind("count", false, true), "GET", new RestReport.Seen(ui, rq, sr), engine,
          false, null, null, false, null);
    }

    @POST
    @Path("/count")
    @Consumes("application/json")
    public Response queryCount(
        byte[] body, @Context UriInfo ui, @Context Request rq, @Context HttpServletRequest sr) {
      return RestReport.ran(
          kind("count", false, true), "POST", new RestReport.Seen(ui, rq, sr), engine,
          false, null, null, false, body);
    }

    @GET
    @Path("/singleResult")
    public Response single(
        @Context UriInfo ui, @Context Request rq, @Context HttpServletRequest sr) {
      return RestReport.ran(
          kind("singleResult", false, true), "GET", new RestReport.Seen(ui, rq, sr), engine,
          false, null, null, false, null);
    }

    @POST
    @Path("/singleResult")
    @Consumes("application/json")
    public Response querySingle(
        byte[] body, @Context UriInfo ui, @Context Request rq, @Context HttpServletRequest sr) {
      return RestReport.ran(
          kind("singleResult", false, true), "POST", new RestReport.Seen(ui, rq, sr), engine,
          false, null, null, false, body);
    }
  }
}
