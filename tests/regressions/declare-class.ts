// skipped: a declaration file is never scanned, even though this class lacks lockService.
import { ClusterSafeCronEveryHour } from '@acme/cluster-lock';

export declare class DeclaredJob {
  @ClusterSafeCronEveryHour()
  run(): Promise<void>;
}
