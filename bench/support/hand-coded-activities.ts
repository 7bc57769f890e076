/** The one activity of the hand-coded yardstick workflow: returns a result of the asked size. */
export const handCodedActivities = {
  async work(_input: string, resultBytes: number): Promise<string> {
    return 'y'.repeat(resultBytes);
  },
};

export type HandCodedActivities = typeof handCodedActivities;
