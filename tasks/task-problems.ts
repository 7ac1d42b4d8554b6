import { HttpProblem, invalidInput } from "../runtime/problem.js";

/** Also the answer for another user's task: its existence is not revealed. */
export function taskNotFound(taskId: string): HttpProblem {
  return new HttpProblem(404, `Task ${taskId} does not exist.`);
}

export function invalidTask(field: string, message: string): HttpProblem {
  return invalidInput([{ field, message }]);
}
