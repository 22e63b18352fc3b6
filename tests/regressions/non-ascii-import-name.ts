import { Injectable } from '@nestjs/common';
import {ۼ, ClusterSafeCron } from '@acme/cluster-lock';

@Injectable()
export class Jobs {
  @ClusterSafeCron('* * * * *')
  run() {}
}
