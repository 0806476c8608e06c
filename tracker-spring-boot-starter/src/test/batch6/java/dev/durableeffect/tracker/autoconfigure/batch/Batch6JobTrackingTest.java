package dev.durableeffect.tracker.autoconfigure.batch;

import java.time.LocalDate;
import java.util.Map;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;

/** The Batch tracking scenarios on Spring Batch 6 (Spring Boot 4). */
@SpringBootTest(
    classes = Batch6Jobs.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {"durable.tracker.type=in-memory", "spring.batch.job.enabled=false"})
class Batch6JobTrackingTest extends BatchJobTrackingScenarios {

  @Autowired JobOperator jobOperator;
  @Autowired ApplicationContext context;

  @Override
  Launch launch(String jobName, Map<String, Object> identifying, Map<String, Object> nonIdentifying)
      throws Exception {
    JobParametersBuilder parameters = new JobParametersBuilder();
    identifying.forEach((name, value) -> add(parameters, name, value, true));
    nonIdentifying.forEach((name, value) -> add(parameters, name, value, false));
    JobExecution execution = jobOperator.start(job(jobName), parameters.toJobParameters());
    return new Launch(
        jobName,
        execution.getJobInstance().getInstanceId(),
        execution.getId(),
        execution.getStatus(),
        execution.getStartTime(),
        execution.getEndTime());
  }

  private Job job(String name) {
    return context.getBeansOfType(Job.class).values().stream()
        .filter(job -> job.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static void add(JobParametersBuilder parameters, String name, Object value, boolean identifying) {
    if (value instanceof Long number) {
      parameters.addLong(name, number, identifying);
    } else if (value instanceof Double number) {
      parameters.addDouble(name, number, identifying);
    } else if (value instanceof LocalDate date) {
      parameters.addLocalDate(name, date, identifying);
    } else {
      parameters.addString(name, (String) value, identifying);
    }
  }
}
