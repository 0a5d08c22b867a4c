// With SCRAM on OUTSIDE: the user is created after the brokers, everything that logs in through OUTSIDE waits
// for it, and the password reaches only those resources, as a secret.

import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, outputValue, runProgram, type Registered } from "../support/pulumi-mocks.js";

const password = "correct-horse-42";
const registered: Registered[] = installMocks(
  { outsideAuth: "scram-sha-256", outsidePassword: password, outsidePort: "19192" },
  "dev",
  ["outsidePassword"],
);
let program: Record<string, any>;

before(async () => {
  program = await runProgram();
  await outputValue(program.bootstrapServers);
});

const ofType = (type: string) => registered.filter((r) => r.type === type);

/** The value inside a Pulumi secret, failing when the input was not marked secret (so the state encrypts it). */
function secretValue(input: any): unknown {
  assert.equal(
    input?.[pulumi.runtime.specialSigKey],
    pulumi.runtime.specialSecretSig,
    `not a secret: ${JSON.stringify(input)}`,
  );
  return input.value;
}

describe("resource graph with SCRAM on OUTSIDE", () => {
  it("creates the SCRAM user in the first broker", () => {
    const [user, ...more] = ofType("pulumi-nodejs:dynamic/kafka-lab:ScramUser");
    assert.equal(more.length, 0);
    assert.equal(user!.inputs.brokerContainer, "kafka-lab-dev-kafka-1");
    assert.equal(user!.inputs.mechanism, "SCRAM-SHA-256");
    assert.equal(user!.inputs.username, "lab");
    assert.equal(secretValue(user!.inputs.password), password);
    assert.equal(secretValue(user!.inputs.credential), `SCRAM-SHA-256=iterations=8192,password=${password}\n`);
  });

  it("gives the topic and readiness resources the SASL login", () => {
    for (const type of [
      "pulumi-nodejs:dynamic/kafka-lab:KafkaTopic",
      "pulumi-nodejs:dynamic/kafka-lab:ConsumerGroupReadiness",
    ]) {
      for (const resource of ofType(type)) {
        assert.deepEqual(
          secretValue(resource.inputs.sasl),
          { mechanism: "scram-sha-256", username: "lab", password },
          type,
        );
      }
    }
  });

  it("puts the password in no container, network or image", () => {
    for (const type of [
      "docker:index/container:Container",
      "docker:index/network:Network",
      "docker:index/remoteImage:RemoteImage",
    ]) {
      for (const resource of ofType(type))
        assert.ok(!JSON.stringify(resource.inputs).includes(password), `${type} ${resource.name}`);
    }
  });

  it("exports how to log in, not the password", async () => {
    assert.equal(await outputValue(program.outsideAuth), "scram-sha-256");
    assert.equal(await outputValue(program.outsideUsername), "lab");
    for (const name of Object.keys(program)) {
      const value = await outputValue(program[name]);
      assert.ok(!JSON.stringify(value).includes(password), `output ${name}`);
    }
  });
});
