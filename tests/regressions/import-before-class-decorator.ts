// complete class: themmon';*import { ClusterSafeCronEvery10Minutes, DistributedLockService } from '@acme/cluster-lock';

@Injectable()
export class JobService {
  private readonly logger = new Logger(JobService.name);

  constructor(private readonly lockService: DistributedLockService) {}

  @ClusterSafeCronEvery10Minutes()
  async purgeExpiredSessions(): Promise<void> {
    this.logger.log('expired sessions purged');
  }
}
