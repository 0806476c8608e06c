package dev.durableeffect.tracker.sample;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** Starts demo workflows: {@code POST /api/workflows/{name}}. */
@RestController
public class WorkflowController {

  private final DemoWorkflows workflows;

  public WorkflowController(DemoWorkflows workflows) {
    this.workflows = workflows;
  }

  /** The names of the demo workflows. */
  @GetMapping("/api/workflows")
  public List<String> names() {
    return workflows.names();
  }

  /** Starts a run; answers its ids, or 404 with the valid names. */
  @PostMapping("/api/workflows/{name}")
  public ResponseEntity<Object> start(@PathVariable("name") String name) {
    return workflows
        .start(name)
        .<ResponseEntity<Object>>map(ResponseEntity::ok)
        .orElseGet(
            () ->
                ResponseEntity.status(HttpStatus.NOT_FOUND)
                    .body(Map.of("error", "unknown workflow '" + name + "'", "workflows", workflows.names())));
  }
}
