package dev.durableeffect.tracker.autoconfigure.batch;

import java.time.LocalDate;
import java.util.Map;
import org.springframework.batch.core.Job;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobParametersBuilder;
import org.springframework.batch.core.launch.JobLauncher;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;

/** The Batch tracking scenarios on Spring Batch 5.2 (Spring Boot 3.5). */
@SpringBootTest(
    classes = Batch5Jobs.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {"durable.tracker.type=in-memory", "spring.batch.job.enabled=false"})
class Batch5JobTrackingTest extends BatchJobTrackingScenarios {

  @Autowired JobLauncher jobLauncher;
  @Autowired ApplicationContext context;

  @Override
  Launch launch(String jobName, Map<String, Object> identifying, Map<String, Object> nonIdentifying)
      throws Exception {
    JobParametersBuilder parameters = new JobParametersBuilder();
    identifying.forEach((name, value) -> add(parameters, name, value, true));
    nonIdentifying.forEach((name, value) -> add(parameters, name, value, false));
    JobExecution execution = jobLauncher.run(job(jobName), parameters.toJobParameters());
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
