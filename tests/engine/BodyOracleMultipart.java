// Multipart facts for the body oracle (see BodyOracle.java).
//
// The body goes through commons-fileupload 1.4 exactly as engine-rest's
// MultipartPayloadProvider hands it over: a plain FileUpload, a
// RequestContext with the raw Content-Type header, no character encoding
// and no content length, then getItemIterator; every item becomes a
// FormPart (MultipartFormData.FormPart: field name, content type, bytes,
// file name; text content as UTF-8 only when the content type is absent or
// contains "text/plain") and is put into a HashMap by field name (the last
// part of a name wins).
//
// Then the engine's two readers of that map:
//  - deployment (DeploymentRestServiceImpl.extractDeploymentInformation):
//    every part whose name is not a reserved keyword must have a file name
//    (else 400) and becomes a resource named by it (DeploymentEntity keeps
//    resources in a HashMap by name); a deployer parses a resource as a
//    model when resourceName.endsWith(suffix) for its suffixes
//    (AbstractDefinitionDeployer.isResourceHandled; BpmnDeployer:
//    "bpmn20.xml", "bpmn"; CmmnDeployer: "cmmn11.xml", "cmmn10.xml",
//    "cmmn"; DecisionDefinitionDeployer: "dmn11.xml", "dmn";
//    CamundaFormDefinitionDeployer: "form"; camunda-bpm-platform 3dd653fe66);
//  - variable upload (AbstractVariablesResource.setBinaryVariable): with a
//    `type` part, its text goes to TypeFactory.constructFromCanonical and
//    the `data` part, when its content type contains application/json, is
//    read into that type with Jackson.
// XML facts of every part, and JSON facts of every part, are included so
// that the Rust side can judge both the engine's and the guard's readings.

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.TypeFactory;
import org.apache.commons.fileupload.FileItemIterator;
import org.apache.commons.fileupload.FileItemStream;
import org.apache.commons.fileupload.FileUpload;
import org.apache.commons.fileupload.RequestContext;

final class BodyOracleMultipart {
    /** DeploymentRestServiceImpl.RESERVED_KEYWORDS. */
    static final Set<String> RESERVED = Set.of("deployment-name", "deployment-activation-time",
        "enable-duplicate-filtering", "deploy-changed-only", "deployment-source", "tenant-id");
    static final String[][] DEPLOYERS = {
        {"bpmn", "bpmn20.xml", "bpmn"},
        {"cmmn", "cmmn11.xml", "cmmn10.xml", "cmmn"},
        {"dmn", "dmn11.xml", "dmn"},
        {"form", "form"},
    };
    static final Set<String> PRIMITIVES = Set.of("boolean", "byte", "short", "int", "long", "char",
        "float", "double", "void");
    static final int MAX_BODY_SHOWN = 2048;

    private BodyOracleMultipart() {}

    static final class Part {
        String field;
        String fileName;
        String contentType;
        String disposition;
        boolean formField;
        byte[] body;

        String text() {
            return contentType == null || contentType.contains("text/plain")
                ? new String(body, StandardCharsets.UTF_8) : null;
        }
    }

    static ObjectNode facts(byte[] body, String contentType, String route) {
        ObjectNode f = BodyOracle.NODES.objectNode();
        List<Part> parts = new ArrayList<>();
        try {
            FileUpload upload = new FileUpload();
            RequestContext ctx = new RequestContext() {
                public String getCharacterEncoding() {
                    return null;
                }

                public String getContentType() {
                    return contentType;
                }

                public int getContentLength() {
                    return -1;
                }

                public InputStream getInputStream() {
                    return new ByteArrayInputStream(body);
                }
            };
            FileItemIterator it = upload.getItemIterator(ctx);
            while (it.hasNext()) {
                FileItemStream item = it.next();
                Part p = new Part();
                p.field = item.getFieldName();
                p.contentType = item.getContentType();
                try (InputStream in = item.openStream()) {
                    p.body = in.readAllBytes();
                }
                p.fileName = item.getName();
                p.formField = item.isFormField();
                p.disposition = item.getHeaders() == null ? null : item.getHeaders().getHeader("content-disposition");
                parts.add(p);
            }
            f.put("ok", true);
        } catch (Exception e) {
            // MultipartPayloadProvider: 400 "multipart/form-data cannot be
            // processed"; the engine acts on none of the parts.
            f.put("ok", false);
            f.put("error", BodyOracle.clean(e.toString()));
        }
        ArrayNode shown = f.putArray("parts");
        Map<String, Integer> map = new HashMap<>();
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            map.put(p.field, i);
            ObjectNode o = shown.addObject();
            o.put("name", BodyOracle.clean(p.field));
            o.put("name_lone_surrogates", p.field != null && BodyOracle.hasLoneSurrogate(p.field));
            o.put("filename", BodyOracle.clean(p.fileName));
            o.put("content_type", BodyOracle.clean(p.contentType));
            o.put("disposition", BodyOracle.clean(p.disposition));
            o.put("form_field", p.formField);
            o.put("size", p.body.length);
            o.put("body_b64", Base64.getEncoder().encodeToString(
                p.body.length > MAX_BODY_SHOWN ? java.util.Arrays.copyOf(p.body, MAX_BODY_SHOWN) : p.body));
            o.set("xml", BodyOracleXml.fromBytes(p.body));
            o.set("json", BodyOracleJson.facts(p.body, 0));
        }
        ObjectNode engineMap = f.putObject("map");
        for (Map.Entry<String, Integer> e : map.entrySet()) {
            engineMap.put(BodyOracle.clean(e.getKey()), e.getValue());
        }
        deployment(f, parts, map);
        upload(f, parts, map);
        return f;
    }

    /** DeploymentRestServiceImpl.extractDeploymentInformation and the deployers. */
    static void deployment(ObjectNode f, List<Part> parts, Map<String, Integer> map) {
        ObjectNode d = f.putObject("deploy");
        Map<String, Integer> resources = new HashMap<>();
        String error = null;
        for (String name : map.keySet()) {
            Part part = parts.get(map.get(name));
            if (!RESERVED.contains(name)) {
                if (part.fileName != null) {
                    resources.put(part.fileName, map.get(name));
                } else {
                    error = "No file name found in the deployment resource described by form parameter";
                    break;
                }
            }
        }
        if (error == null && resources.isEmpty()) {
            error = "No deployment resources contained in the form upload.";
        }
        d.put("ok", error == null);
        if (error != null) {
            d.put("error", error);
        }
        ArrayNode rs = d.putArray("resources");
        for (Map.Entry<String, Integer> e : resources.entrySet()) {
            ObjectNode r = rs.addObject();
            String name = e.getKey();
            r.put("name", BodyOracle.clean(name));
            r.put("part", e.getValue());
            ArrayNode by = r.putArray("deployers");
            for (String[] deployer : DEPLOYERS) {
                for (int i = 1; i < deployer.length; i++) {
                    if (name.endsWith(deployer[i])) {
                        by.add(deployer[0]);
                        break;
                    }
                }
            }
        }
    }

    /** AbstractVariablesResource.setBinaryVariable. */
    static void upload(ObjectNode f, List<Part> parts, Map<String, Integer> map) {
        ObjectNode u = f.putObject("upload");
        Integer dataIndex = map.get("data");
        Integer typeIndex = map.get("type");
        Part data = dataIndex == null ? null : parts.get(dataIndex);
        Part type = typeIndex == null ? null : parts.get(typeIndex);
        u.put("data_part", dataIndex == null ? -1 : dataIndex);
        u.put("type_part", typeIndex == null ? -1 : typeIndex);
        String dataType = data == null ? null : data.contentType;
        u.put("data_content_type", BodyOracle.clean(dataType));
        boolean dataJson = dataType != null && dataType.toLowerCase().contains("application/json");
        u.put("data_json", dataJson);
        u.put("java_serialization", dataType != null
            && dataType.toLowerCase().contains("application/x-java-serialized-object"));
        if (type != null) {
            String text = type.text();
            u.put("type_text", BodyOracle.clean(text));
            if (text != null) {
                Recording recording = new Recording();
                ArrayNode names = u.putArray("type_classes");
                try {
                    recording.constructFromCanonical(text);
                    u.put("type_parses", true);
                } catch (Exception e) {
                    u.put("type_parses", false);
                    u.put("type_error", BodyOracle.clean(e.getMessage()));
                }
                // Over-inclusive: also every token of the canonical
                // syntax (TypeParser splits on '<', ',', '>' and trims).
                for (String token : text.split("[<,>]")) {
                    String n = token.trim();
                    if (!n.isEmpty() && !PRIMITIVES.contains(n) && !recording.names.contains(n)) {
                        recording.names.add(n);
                    }
                }
                for (String n : recording.names) {
                    BodyOracle.add(names, n);
                }
            }
        }
        if (data != null && dataJson) {
            u.set("data_facts", BodyOracleJson.facts(data.body, 0));
        }
    }

    /**
     * Jackson's own canonical type parser, recording every class name it
     * looks up (the raw classes, type arguments and array components that
     * Camunda's validateType walks). Classes the oracle cannot load (the
     * application's, or gadgets not on this class path) are stood in for
     * by Object, so the walk goes on; a wrong number of type arguments then
     * ends it, after the names met so far were recorded.
     */
    static final class Recording extends TypeFactory {
        final List<String> names = new ArrayList<>();

        Recording() {
            super((com.fasterxml.jackson.databind.util.LookupCache<Object, com.fasterxml.jackson.databind.JavaType>) null);
        }

        @Override
        public Class<?> findClass(String className) throws ClassNotFoundException {
            if (!PRIMITIVES.contains(className)) {
                names.add(className);
            }
            if (PRIMITIVES.contains(className)) {
                return super.findClass(className);
            }
            try {
                // Loaded, never initialized: no static initializer runs.
                return Class.forName(className, false, BodyOracleMultipart.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                return Object.class;
            }
        }
    }
}
