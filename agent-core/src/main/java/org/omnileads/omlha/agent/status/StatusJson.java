package org.omnileads.omlha.agent.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The status JSON of CONTRACT.md: snake_case names of the status records. */
public final class StatusJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private StatusJson() {}

    public static String write(AgentStatus status) {
        try {
            return MAPPER.writeValueAsString(status);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("status not serializable", e);
        }
    }

    public static AgentStatus read(String json) throws JsonProcessingException {
        return MAPPER.readValue(json, AgentStatus.class);
    }

    public static String writeMaintenance(MaintenanceReply reply) {
        try {
            return MAPPER.writeValueAsString(reply);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("maintenance reply not serializable", e);
        }
    }

    public static MaintenanceReply readMaintenance(String json) throws JsonProcessingException {
        return MAPPER.readValue(json, MaintenanceReply.class);
    }
}
