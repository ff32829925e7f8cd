// The oracle's JAX-RS application: like Camunda's DefaultApplication (`@ApplicationPath("/")`,
// CamundaRestResources: NamedProcessEngineRestServiceImpl and DefaultProcessEngineRestServiceImpl
// as root resources), plus exception mappers that make every refusal by RESTEasy itself
// distinguishable from a resource method that ran.

import java.util.HashSet;
import java.util.Set;

import javax.ws.rs.ApplicationPath;
import javax.ws.rs.WebApplicationException;
import javax.ws.rs.core.Application;
import javax.ws.rs.core.Response;
import javax.ws.rs.ext.ExceptionMapper;
import javax.ws.rs.ext.Provider;

@ApplicationPath("/")
public class RestApp extends Application {

  @Override
  public Set<Class<?>> getClasses() {
    Set<Class<?>> classes = new HashSet<>();
    classes.add(RestResources.DefaultEngine.class);
    classes.add(RestResources.NamedEngine.class);
    classes.add(WebErrors.class);
    classes.add(OtherErrors.class);
    return classes;
  }

  /**
   * RESTEasy's own refusals: no matching resource (404), no method for the HTTP method (405),
   * a query parameter that does not convert to the bound type (404, JAX-RS 2.0 section 3.2),
   * an unsupported media type (415), ... Answered as `{"unmatched":STATUS,...}`.
   */
  @Provider
  public static class WebErrors implements ExceptionMapper<WebApplicationException> {
    @Override
    public Response toResponse(WebApplicationException e) {
      int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
      return RestReport.refusal(status, e.getClass().getSimpleName(), e.getMessage());
    }
  }

  /** Anything else the dispatcher threw (a malformed escape, say). */
  @Provider
  public static class OtherErrors implements ExceptionMapper<RuntimeException> {
    @Override
    public Response toResponse(RuntimeException e) {
      if (e instanceof WebApplicationException) {
        return new WebErrors().toResponse((WebApplicationException) e);
      }
      return RestReport.refusal(500, e.getClass().getSimpleName(), e.getMessage());
    }
  }
}
